"""Signed webhooks: good, forged, stale, replayed, unknown — nothing stored on failure."""

# The fixtures come from tests/outreach/outbox_support.py (imported below, used as arguments).
# ruff: noqa: F811

from __future__ import annotations

import time
import uuid

import sqlalchemy as sa
from flask import Flask

from saas.extensions import db
from saas.outreach.models import InboundMessage, WebhookReceipt
from saas.outreach.outbox import get_message, queue_message
from saas.outreach.webhooks import WebhookRefused, sign, verify
from tests.factories import TenantFixture
from tests.outreach.outbox_support import (  # noqa: F401 (fixtures)
    NOW,
    SECRET,
    ctx,
    make_candidate,
    make_template,
    outreach_app,
    post_webhook,
    provider,
)


def _stored() -> tuple[int, int]:
    db.session.expire_all()
    receipts = db.session.scalar(sa.select(sa.func.count()).select_from(WebhookReceipt))
    inbound = db.session.scalar(sa.select(sa.func.count()).select_from(InboundMessage))
    return int(receipts or 0), int(inbound or 0)


def test_signed_delivery_receipt_marks_the_message_delivered(
        outreach_app: Flask, ctx: TenantFixture) -> None:
    message = queue_message(make_candidate(), make_template(), sender=None, now=NOW)
    db.session.refresh(message)
    assert message.state == "sent"
    client = outreach_app.test_client()
    response = post_webhook(client, ctx.slug, [{
        "kind": "delivery", "provider_event_id": "ev-1",
        "provider_message_id": message.provider_message_id}])
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"received": 1, "applied": 1, "kinds": ["delivery"]}
    delivered = get_message(message.id)
    db.session.refresh(delivered)
    assert delivered is not None and delivered.state == "delivered"
    assert delivered.delivered_at is not None
    # The provider sends the same event again (a new signature): nothing changes.
    again = post_webhook(client, ctx.slug, [{"kind": "delivery", "provider_event_id": "ev-1",
                                             "provider_message_id": "x"}],
                         timestamp=int(time.time()) - 1)
    assert again.get_json()["applied"] == 0


def test_forged_stale_replayed_and_unknown_webhooks_store_nothing(
        outreach_app: Flask, ctx: TenantFixture) -> None:
    client = outreach_app.test_client()
    events = [{"kind": "reply", "provider_event_id": f"ev-{uuid.uuid4().hex}",
               "sender": "+8613900000000", "text": "hello"}]
    before = _stored()
    forged = post_webhook(client, ctx.slug, events, secret="not-the-secret-at-all-000")
    assert forged.status_code == 401
    assert forged.mimetype == "application/problem+json"
    assert forged.get_json()["detail"] == "The signature does not match."
    stale = post_webhook(client, ctx.slug, events, timestamp=int(time.time()) - 301)
    assert stale.status_code == 401 and "5 minutes" in stale.get_json()["detail"]
    unsigned = client.post(f"/webhooks/{ctx.slug}/phone", data=b"{}")
    assert unsigned.status_code == 401
    garbled = client.post(f"/webhooks/{ctx.slug}/phone", data=b"{}", headers={
        "X-Rekindle-Timestamp": "yesterday", "X-Rekindle-Signature": "sha256=00"})
    assert garbled.status_code == 400
    assert post_webhook(client, "no-such-tenant", events).status_code == 404
    assert post_webhook(client, ctx.slug, events, channel="pigeon").status_code == 404
    assert post_webhook(client, ctx.slug, events, channel="sms").status_code == 404
    unreadable = post_webhook(client, ctx.slug, [], body=b"not json")
    assert unreadable.status_code == 400
    assert _stored() == before
    stamp = int(time.time())
    first = post_webhook(client, ctx.slug, events, timestamp=stamp)
    assert first.status_code == 200
    replay = post_webhook(client, ctx.slug, events, timestamp=stamp)
    assert replay.status_code == 401 and "replay" in replay.get_json()["detail"]
    assert _stored() == (before[0] + 1, before[1] + 1)


def test_verify_compares_in_constant_time_and_checks_the_window() -> None:
    body, stamp = b'{"a": 1}', "1700000000"
    good = sign(SECRET, stamp, body)
    assert verify(SECRET, stamp, good, body, now=1700000000 + 299)
    for signature, now in ((good, 1700000000 + 301), ("sha256=" + "0" * 64, 1700000000),
                           ("md5=abc", 1700000000)):
        try:
            verify(SECRET, stamp, signature, body, now=now)
        except WebhookRefused as exc:
            assert exc.status == 401
        else:
            raise AssertionError("accepted a bad signature")
    try:
        verify(SECRET, stamp, good, body + b" ", now=1700000000)
    except WebhookRefused as exc:
        assert exc.status == 401
    else:
        raise AssertionError("accepted a changed body")
