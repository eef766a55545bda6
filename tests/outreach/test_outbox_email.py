"""E-mail end to end over a real SMTP server (aiosmtpd): sent once, the reply matched
by In-Reply-To through the e-mail channel's own webhook."""

from __future__ import annotations

# The fixtures come from tests/outreach/outbox_support.py (imported below, used as arguments).
# ruff: noqa: F811
import json
import socket
import time
from collections.abc import Iterator
from email import message_from_bytes
from typing import Any

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from flask import Flask

from saas.candidates.timeline import Interaction
from saas.extensions import db
from saas.hooks.settings import configure_plugin
from saas.outreach.outbox import queue_message
from saas.outreach.webhooks import sign
from tests.factories import TenantFixture
from tests.outreach.outbox_support import (  # noqa: F401 (fixtures)
    NOW,
    SECRET,
    ctx,
    make_candidate,
    make_template,
    outreach_app,
    provider,
    set_policy,
)


class Inbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(envelope.content)
        return "250 OK"


@pytest.fixture()
def smtp() -> Iterator[tuple[Inbox, int]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def test_email_goes_out_once_and_the_reply_comes_back(
        outreach_app: Flask, ctx: TenantFixture, smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    configure_plugin("channel_email", enabled=True, settings={
        "host": "127.0.0.1", "port": port, "sender": "talent@alpha.example",
        "security": "none", "webhook_secret": SECRET})
    set_policy(ctx, channel_order=["email"])
    candidate = make_candidate(consent=("email",), preferred_channel="email",
                               status="stalled")
    template = make_template(channel="email", subject="Since we last talked",
                             body="The flexible-work policy you asked about is live.")
    message = queue_message(candidate, template, sender=None, now=NOW)
    again = queue_message(candidate, template, sender=None, now=NOW)
    db.session.refresh(message)
    assert again.id == message.id
    assert message.state == "sent", message.last_error
    assert len(inbox.messages) == 1
    mail = message_from_bytes(inbox.messages[0])
    assert mail["Subject"] == "Since we last talked"
    assert str(message.id) in mail["Message-ID"]
    body = json.dumps({"message_id": "<reply-1@mail.example>",
                       "in_reply_to": mail["Message-ID"], "from": "someone.else@example.org",
                       "text": "Yes, sounds good — let's talk next week."}).encode()
    stamp = str(int(time.time()))
    response = outreach_app.test_client().post(
        f"/webhooks/{ctx.slug}/email", data=body, headers={
            "Content-Type": "application/json", "X-Rekindle-Timestamp": stamp,
            "X-Rekindle-Signature": sign(SECRET, stamp, body)})
    assert response.status_code == 200, response.get_json()
    db.session.expire_all()
    db.session.refresh(candidate)
    assert candidate.status == "re_engaged"
    inbound = db.session.scalars(sa.select(Interaction).where(
        Interaction.candidate_id == candidate.id, Interaction.direction == "inbound")).one()
    assert inbound.channel == "email" and "sounds good" in (inbound.summary or "")
