"""Shared set-up of the outbox tests: a stand-in provider, a test channel, candidates.

The test channel is a plugin named ``channel_phone`` (no first-party plugin sends
``phone``), registered with ``create_app(extra_plugins=...)``. It sends over HTTP
to :class:`StandInProvider`, a local server that honours idempotency keys (a key
already delivered is answered again, never delivered twice) and can be told to
answer 500, 429 or to stall for the next requests.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import marshmallow as ma
import pytest
from flask import Flask

from saas.app import create_app
from saas.candidates.models import Candidate
from saas.candidates.services import create_candidate
from saas.extensions import db
from saas.hooks import ChannelEvent, OutgoingMessage, PluginManifest, SendResult, hookimpl
from saas.hooks.settings import configure_plugin
from saas.outreach.models import Template
from saas.privacy.consent import record_consent
from saas.tenancy.context import tenant_context
from saas.tenancy.models import Tenant, TenantInfo
from tests.conftest import app_config
from tests.factories import TenantFixture

SECRET = "webhook-secret-for-tests-0123456789"
# Tomorrow 12:00 in Shanghai: after every record the tests make "now", at a fixed hour.
NOW = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).replace(
    hour=4, minute=0, second=0, microsecond=0)


class StandInProvider:
    """A provider API on 127.0.0.1: POST /send with an Idempotency-Key header."""

    def __init__(self) -> None:
        self.deliveries: dict[str, dict[str, Any]] = {}
        self.requests: list[str] = []
        self.script: list[tuple[int, dict[str, str]]] = []
        self.stall = threading.Event()
        self.lock = threading.Lock()
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return None

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                payload = json.loads(self.rfile.read(length) or b"{}")
                key = self.headers.get("Idempotency-Key") or ""
                with provider.lock:
                    provider.requests.append(key)
                    status, headers = provider.script.pop(0) if provider.script else (200, {})
                if status == 0:
                    provider.stall.wait(5)
                    status = 200
                if status == 200:
                    with provider.lock:
                        provider.deliveries.setdefault(key, payload)
                body = json.dumps({"id": f"prov-{key}"}).encode()
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/send"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def reset(self) -> None:
        self.deliveries.clear()
        self.requests.clear()
        self.script.clear()
        self.stall.clear()

    def close(self) -> None:
        self.stall.set()
        self.server.shutdown()


class PhoneSettings(ma.Schema):
    url = ma.fields.String(required=True)
    webhook_secret = ma.fields.String(load_default=None, allow_none=True,
                                      metadata={"secret": True})


class PhoneChannel:
    """The test channel plugin: sends to the stand-in, reads JSON webhooks."""

    calls: ClassVar[list[str]] = []

    @hookimpl
    def saas_plugin_manifest(self) -> PluginManifest:
        return PluginManifest(name="channel_phone", title="Phone (test)", kind="channel",
                              version="0", settings_schema=PhoneSettings)

    @hookimpl
    def saas_channel_send(self, tenant: TenantInfo, message: OutgoingMessage,
                          settings: Mapping[str, Any]) -> SendResult:
        PhoneChannel.calls.append(message.message_id)
        data = json.dumps({"to": message.to, "body": message.body}).encode()
        request = urllib.request.Request(  # noqa: S310 (the stand-in's http:// URL)
            settings["url"], data=data, method="POST", headers={
                "Idempotency-Key": message.message_id, "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=0.5) as response:  # noqa: S310
                answer = json.loads(response.read())
        except urllib.error.HTTPError as exc:
            if exc.code == 429 or exc.code >= 500:
                retry_after = exc.headers.get("Retry-After")
                return SendResult("retry", retry_after=float(retry_after) if retry_after
                                  else None, detail=f"HTTP {exc.code}")
            return SendResult("failed", detail=f"HTTP {exc.code}")
        except TimeoutError:
            return SendResult("retry", detail="time-out")
        return SendResult("sent", provider_message_id=answer["id"])

    @hookimpl
    def saas_channel_webhook(self, tenant: TenantInfo, channel: str,
                             headers: Mapping[str, str], body: bytes,
                             settings: Mapping[str, Any]) -> list[ChannelEvent]:
        events = json.loads(body)["events"]
        return [ChannelEvent(**event) for event in events]


@pytest.fixture(scope="module")
def provider() -> Iterator[StandInProvider]:
    stand_in = StandInProvider()
    yield stand_in
    stand_in.close()


def app_with_phone_channel(app: Flask, database_urls: tuple[str, str],
                           channel: PhoneChannel) -> Flask:
    """An app with ``channel`` as ``channel_phone``, on the database ``app`` migrated."""
    # Not RATELIMIT_ENABLED=False: the limiter is one object shared by every app in
    # the process, so that would switch rate limits off for every later test.
    return create_app(app_config(database_urls, PLUGIN_HOOK_TIMEOUT=2.0,
                                 MASTER_KEYS=app.config["MASTER_KEYS"]),
                      extra_plugins=[("channel_phone", channel)])


@pytest.fixture(scope="module")
def outreach_app(app: Flask, database_urls: tuple[str, str]) -> Flask:
    """The app with the test channel (``app`` first: it migrated the database)."""
    return app_with_phone_channel(app, database_urls, PhoneChannel())


def set_policy(fixture: TenantFixture, **policy: Any) -> None:
    tenant = db.session.get(Tenant, fixture.id)
    assert tenant is not None
    tenant.policy = {"max_messages_per_30_days": 2, "quiet_hours": "",
                     "channel_order": ["wechat", "phone", "email", "sms", "linkedin"], **policy}
    db.session.commit()


def enable_phone(provider: StandInProvider) -> None:
    configure_plugin("channel_phone", enabled=True,
                     settings={"url": provider.url, "webhook_secret": SECRET})


def make_candidate(name: str = "Zhang Wei", *, consent: tuple[str, ...] = ("phone",),
                   consent_on: dt.datetime = dt.datetime(2025, 10, 12, 2, tzinfo=dt.UTC),
                   **fields: Any) -> Candidate:
    data: dict[str, Any] = {"name": name, "phones": [f"+86138{uuid.uuid4().int % 10**8:08d}"],
                            "emails": [f"{uuid.uuid4().hex[:8]}@example.com"],
                            "timezone": "Asia/Shanghai", "locale": "en", **fields}
    candidate = create_candidate(data)
    for channel in consent:
        record_consent(candidate, channel=channel, basis="consent", source="test",
                       given_at=consent_on)
    db.session.flush()
    return candidate


def make_template(name: str | None = None, body: str | None = None, *, channel: str = "phone",
                  locale: str = "en", subject: str | None = None,
                  purpose: str | None = None) -> Template:
    template = Template(name=name or f"t-{uuid.uuid4().hex[:6]}", channel=channel,
                        locale=locale, subject=subject, purpose=purpose,
                        body=body or f"Hello, it has been a while ({uuid.uuid4().hex[:6]}).")
    db.session.add(template)
    db.session.flush()
    return template


@pytest.fixture()
def ctx(outreach_app: Flask, tenant_a: TenantFixture,
        provider: StandInProvider) -> Iterator[TenantFixture]:
    """Tenant A in context on the outreach app, the test channel on, no quiet hours."""
    provider.reset()
    PhoneChannel.calls.clear()
    with outreach_app.app_context(), tenant_context(tenant_a.id):
        set_policy(tenant_a)
        enable_phone(provider)
        db.session.commit()
        yield tenant_a


def post_webhook(client: Any, slug: str, events: list[dict[str, Any]], *,
                 secret: str = SECRET, timestamp: int | None = None,
                 channel: str = "phone", body: bytes | None = None) -> Any:
    """POST a signed callback to the tenant's webhook, as a provider would."""
    import time

    from saas.outreach.webhooks import sign

    raw = body if body is not None else json.dumps({"events": events}).encode()
    stamp = str(timestamp if timestamp is not None else int(time.time()))
    return client.post(f"/webhooks/{slug}/{channel}", data=raw, headers={
        "Content-Type": "application/json", "X-Rekindle-Timestamp": stamp,
        "X-Rekindle-Signature": sign(secret, stamp, raw)})


@pytest.fixture()
def web_tenant(outreach_app: Flask, tenant_a: TenantFixture,
               provider: StandInProvider) -> TenantFixture:
    """Like ``ctx`` but with no app context left pushed, so each page request has its
    own (as in production); set data up with :func:`in_tenant`."""
    provider.reset()
    with outreach_app.app_context(), tenant_context(tenant_a.id):
        set_policy(tenant_a)
        enable_phone(provider)
        db.session.commit()
    return tenant_a
