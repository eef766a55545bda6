"""Signed inbound webhooks: ``POST /webhooks/<tenant slug>/<channel>``.

No session, no CSRF token, no bearer token: the request proves itself with

* ``X-Rekindle-Timestamp``: unix seconds, within 5 minutes of our clock, and
* ``X-Rekindle-Signature: sha256=<hex>``: HMAC-SHA256 with the channel's webhook
  secret over ``timestamp + "." + body`` (the raw bytes), compared in constant time.

The secret is the channel plugin's ``webhook_secret`` setting (a secret field,
stored encrypted with the plugin's settings); a channel without one takes no
webhooks. Each signature is accepted once (``WebhookReceipt``): a replay is
refused. Then the channel plugin reads the body into events
(``saas_channel_webhook``) and :mod:`saas.outreach.inbound` applies them. Any
failure answers ``application/problem+json`` (400, 401, 404) and stores nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Sequence

import sqlalchemy as sa
from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import IntegrityError

from saas.api.problems import problem
from saas.candidates.models import CHANNELS
from saas.extensions import db
from saas.hooks.manager import call_optional, enabled_plugins
from saas.hooks.settings import plugin_settings
from saas.hooks.types import ChannelEvent
from saas.outreach.inbound import apply_event
from saas.outreach.models import WebhookReceipt
from saas.tenancy.context import tenant_context
from saas.tenancy.models import Tenant

TOLERANCE_SECONDS = 300
TIMESTAMP_HEADER = "X-Rekindle-Timestamp"
SIGNATURE_HEADER = "X-Rekindle-Signature"

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")


class WebhookRefused(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header value for ``body`` sent at ``timestamp``."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def verify(secret: str, timestamp: str | None, signature: str | None, body: bytes,
           *, now: float | None = None) -> str:
    """Check the headers; returns the signature's hex digest (the replay key)."""
    if not timestamp or not signature:
        raise WebhookRefused(401, f"Send {TIMESTAMP_HEADER} and {SIGNATURE_HEADER}.")
    if not timestamp.isdigit() or len(timestamp) > 12:
        raise WebhookRefused(400, f"{TIMESTAMP_HEADER} must be unix seconds.")
    if abs((now if now is not None else time.time()) - int(timestamp)) > TOLERANCE_SECONDS:
        raise WebhookRefused(401, f"{TIMESTAMP_HEADER} is more than 5 minutes away "
                                  "from our clock.")
    scheme, _sep, given = signature.partition("=")
    if scheme != "sha256" or not given:
        raise WebhookRefused(401, f"{SIGNATURE_HEADER} must be sha256=<hex>.")
    expected = sign(secret, timestamp, body)
    if not hmac.compare_digest(expected.encode(), signature.strip().lower().encode()):
        raise WebhookRefused(401, "The signature does not match.")
    return expected.partition("=")[2]


def _events(tenant: Tenant, channel: str, plugin: str, body: bytes) -> Sequence[ChannelEvent]:
    outcomes = call_optional("saas_channel_webhook", tenant.info(), only=plugin,
                             channel=channel, headers=dict(request.headers), body=body,
                             settings=plugin_settings(plugin))
    if not outcomes:
        raise WebhookRefused(404, "This channel does not take webhooks.")
    if outcomes[0].error is not None:
        raise WebhookRefused(400, "The channel could not read this callback.")
    result = outcomes[0].result or ()
    return [e for e in result if isinstance(e, ChannelEvent)]


def receive(tenant: Tenant, channel: str) -> dict[str, object]:
    """Verify, record the signature, read and apply the events (the caller commits)."""
    plugin = f"channel_{channel}"
    if channel not in CHANNELS or plugin not in enabled_plugins():
        raise WebhookRefused(404, "No such webhook.")
    secret = plugin_settings(plugin).get("webhook_secret")
    if not secret:
        raise WebhookRefused(401, "No webhook secret is set for this channel.")
    body = request.get_data(cache=True)
    digest = verify(str(secret), request.headers.get(TIMESTAMP_HEADER),
                    request.headers.get(SIGNATURE_HEADER), body)
    replay = WebhookRefused(401, "This signature was already used (a replay).")
    if db.session.scalar(sa.select(sa.func.count()).select_from(WebhookReceipt).where(
            WebhookReceipt.signature == digest)):
        raise replay
    db.session.add(WebhookReceipt(channel=channel, signature=digest))
    try:
        db.session.flush()
    except IntegrityError:  # the same request, at the same moment, in another worker
        raise replay from None
    applied = [apply_event(channel, event) for event in _events(tenant, channel, plugin, body)]
    kinds = [row.kind for row in applied if row is not None]
    return {"received": len(applied), "applied": len(kinds), "kinds": kinds}


@bp.route("/<slug>/<channel>", methods=["POST"])
def webhook(slug: str, channel: str) -> ResponseReturnValue:
    tenant = db.session.scalars(
        sa.select(Tenant).where(Tenant.slug == slug, Tenant.status == "active")).first()
    if tenant is None:
        return problem(404, title="Not Found", detail="No such webhook.")
    with tenant_context(tenant.id):
        try:
            outcome = receive(tenant, channel)
            db.session.commit()
        except WebhookRefused as exc:
            db.session.rollback()
            titles = {400: "Bad Request", 401: "Unauthorized", 404: "Not Found"}
            return problem(exc.status, title=titles.get(exc.status, "Error"), detail=exc.detail)
        except BaseException:
            db.session.rollback()
            raise
    return jsonify(outcome)
