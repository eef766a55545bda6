"""API token throttling: per token, and failed bearer authentications per address.

These tests run on their own app with tiny limits; the shared app keeps the
defaults, which the rest of the suite never reaches.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from limits import parse
from redis import Redis

from saas.app import create_app
from saas.auth.throttle import FAILURE_SCOPE, USE_SCOPE
from saas.extensions import limiter
from tests.conftest import app_config
from tests.factories import TenantFixture, make_tenant

LIMITS = {"API_TOKEN_LIMIT": "3 per minute",
          "API_AUTH_FAILURE_LIMIT_PER_ADDRESS": "2 per 15 minutes"}
FORGED = "rk_" + "0" * 32 + "_" + "A" * 43


@pytest.fixture()
def throttled(app: Flask, database_urls: tuple[str, str]) -> Iterator[Flask]:
    """An app with tiny limits on the migrated test database (memory counters)."""
    application = create_app(app_config(database_urls, **LIMITS))
    yield application
    limiter.reset()


def client_from(app: Flask, address: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _is_429_problem(response: object, mentions: str) -> None:
    assert response.status_code == 429  # type: ignore[attr-defined]
    assert response.mimetype == "application/problem+json"  # type: ignore[attr-defined]
    body = response.get_json()  # type: ignore[attr-defined]
    assert body["status"] == 429 and mentions in body["detail"]
    retry_after = int(response.headers["Retry-After"])  # type: ignore[attr-defined]
    assert 1 <= retry_after <= 15 * 60


def test_each_token_has_its_own_request_budget(throttled: Flask) -> None:
    tenant = make_tenant(throttled, "thr")
    client = throttled.test_client()
    for _ in range(3):
        assert client.get("/api/v1/me", headers=tenant.headers("recruiter")).status_code == 200
    blocked = client.get("/api/v1/me", headers=tenant.headers("recruiter"))
    _is_429_problem(blocked, "API token")
    assert int(blocked.headers["Retry-After"]) <= 60
    # Another token of the same tenant, from the same address, is unaffected.
    assert client.get("/api/v1/me", headers=tenant.headers("analyst")).status_code == 200
    # So are pages (they use the session, not a token).
    assert client.get("/login").status_code == 200


def test_failed_bearer_authentications_block_the_address(throttled: Flask) -> None:
    tenant = make_tenant(throttled, "thr")
    attacker = client_from(throttled, "203.0.113.9")
    neighbour = client_from(throttled, "198.51.100.4")
    # No credentials at all is a plain 401 and costs nothing.
    for _ in range(3):
        assert attacker.get("/api/v1/me").status_code == 401
    revoked_or_forged = ({"Authorization": f"Bearer {FORGED}"},
                         {"Authorization": "Bearer not-a-token"})
    for headers in revoked_or_forged:
        assert attacker.get("/api/v1/me", headers=headers).status_code == 401
    blocked = attacker.get("/api/v1/me", headers={"Authorization": f"Bearer {FORGED}"})
    _is_429_problem(blocked, "failed authentications")
    # Until the window ends even a valid token waits when it comes from that address …
    _is_429_problem(attacker.get("/api/v1/me", headers=tenant.headers()), "failed")
    # … while the same token from elsewhere works.
    assert neighbour.get("/api/v1/me", headers=tenant.headers()).status_code == 200


def test_limits_are_shared_through_redis_when_configured(
    app: Flask, database_urls: tuple[str, str], redis_url: str
) -> None:
    redis_app = create_app(app_config(database_urls, REDIS_URL=redis_url, **LIMITS))
    tenant: TenantFixture = make_tenant(redis_app, "thr")
    failures = parse(LIMITS["API_AUTH_FAILURE_LIMIT_PER_ADDRESS"])
    address = "192.0.2.77"
    try:
        client = client_from(redis_app, address)
        assert client.get("/api/v1/me", headers=tenant.headers()).status_code == 200
        assert client.get("/api/v1/me", headers={"Authorization": "Bearer x"}).status_code == 401
        keys = {key.decode() for key in Redis.from_url(redis_url).keys("LIMITS*")}
        assert any(USE_SCOPE in key for key in keys)
        assert any(FAILURE_SCOPE in key and address in key for key in keys)
        # A second process (another app on the same Redis and master key) sees the
        # same counters.
        other = create_app(app_config(
            database_urls, REDIS_URL=redis_url, MASTER_KEYS=redis_app.config["MASTER_KEYS"],
            **LIMITS,
        ))
        other_client = client_from(other, address)
        assert other_client.get("/api/v1/me", headers=tenant.headers()).status_code == 200
        assert other_client.get("/api/v1/me", headers=tenant.headers()).status_code == 200
        _is_429_problem(other_client.get("/api/v1/me", headers=tenant.headers()), "API token")
    finally:
        # Token counters expire within the minute; the address counter would last
        # 15 minutes, across runs. Then the shared limiter goes back to memory.
        limiter.limiter.clear(failures, FAILURE_SCOPE, address)
        create_app(app_config(database_urls))
