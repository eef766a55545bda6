"""Rate limits on API token use (OWASP ASVS V2/V6 anti-automation).

Two limits guard ``/api/`` requests that carry ``Authorization: Bearer``:

* ``API_TOKEN_LIMIT`` — requests per token (e.g. ``600 per minute``), counted
  on every request a valid token makes;
* ``API_AUTH_FAILURE_LIMIT_PER_ADDRESS`` — failed bearer authentications per
  client address (e.g. ``60 per 15 minutes``). Once an address has used them
  up, every bearer request from it gets 429 until the window ends, before any
  token is looked up: guessing tokens costs the same as being refused.

Both answer 429 problem+json with ``Retry-After``. Counters live in the
Flask-Limiter storage (Redis when ``REDIS_URL`` is set, else memory), and the
limits are read from the app's configuration on every request.
"""

from __future__ import annotations

import math
import time
import uuid

from flask import current_app
from flask_limiter.util import get_remote_address
from flask_smorest import abort
from limits import RateLimitItem, parse

from saas.extensions import limiter

USE_SCOPE = "api-token-use"
FAILURE_SCOPE = "api-auth-failed"


def _active() -> bool:
    return bool(limiter.enabled and limiter.initialized)


def _rate(config_key: str) -> RateLimitItem:
    return parse(str(current_app.config[config_key]))


def _refuse(item: RateLimitItem, scope: str, key: str, message: str) -> None:
    reset_at = limiter.limiter.get_window_stats(item, scope, key).reset_time
    retry_after = max(1, math.ceil(reset_at - time.time()))
    abort(429, message=message, headers={"Retry-After": str(retry_after)})


def refuse_blocked_address() -> None:
    """429 when this address used up its failed bearer authentications."""
    if not _active():
        return
    item = _rate("API_AUTH_FAILURE_LIMIT_PER_ADDRESS")
    address = get_remote_address()
    if not limiter.limiter.test(item, FAILURE_SCOPE, address):
        _refuse(item, FAILURE_SCOPE, address,
                "Too many failed authentications from this address; retry later.")


def count_failed_authentication() -> None:
    """Count one failed bearer authentication against the client's address."""
    if _active():
        limiter.limiter.hit(_rate("API_AUTH_FAILURE_LIMIT_PER_ADDRESS"), FAILURE_SCOPE,
                            get_remote_address())


def spend_token_use(token_id: uuid.UUID) -> None:
    """Count one request made with the token; 429 once its limit is used up."""
    if not _active():
        return
    item = _rate("API_TOKEN_LIMIT")
    if not limiter.limiter.hit(item, USE_SCOPE, token_id.hex):
        _refuse(item, USE_SCOPE, token_id.hex,
                "This API token made too many requests; retry later.")
