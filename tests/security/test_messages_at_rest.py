"""Messages at rest: what a message says, who it went to and what came back are sealed.

A recruiter's message quotes the candidate's last conversation and their unanswered
question back to them and goes out on the test channel; the candidate replies. The
provider received those words, so they were really in the message, yet the raw
database (every cell of every table, and the SQLite file's bytes) holds none of them,
nor the number the message went to.
"""

# The fixtures come from tests/outreach/outbox_support.py (imported below, used as arguments).
# ruff: noqa: F811

from __future__ import annotations

import datetime as dt

from flask import Flask

from saas.candidates.interactions import add_interaction
from saas.extensions import db
from tests.conftest import DB_KIND
from tests.factories import TenantFixture
from tests.outreach.outbox_support import (  # noqa: F401 (fixtures)
    ctx,
    make_candidate,
    make_template,
    outreach_app,
    post_webhook,
    provider,
)
from tests.security.raw_cells import file_contains, raw_cells

SECRETS = {
    "quote": "Q9MS-QUOTE I would come back to lead the Suzhou team",
    "open question": "Q9MS-QUESTION how is the year-end bonus paid",
    "reply": "Q9MS-REPLY still wrapping up the launch, write again next month",
    "phone": "+8613977712345",
    "phone digits": "13977712345",
}


def test_message_bodies_recipients_and_replies_are_sealed(
    outreach_app: Flask, ctx: TenantFixture, provider: object,
    database_urls: tuple[str, str],
) -> None:
    candidate = make_candidate("Lin Q9MS", phones=[SECRETS["phone"]])
    add_interaction(candidate, {
        "direction": "inbound", "channel": "phone",
        "occurred_at": dt.datetime.now(dt.UTC) - dt.timedelta(days=60),
        "summary": "Talked about the lead role", "quote": SECRETS["quote"],
        "open_questions": [SECRETS["open question"]],
    })
    template = make_template(body='You said "{{ last_conversation.quote }}". About '
                                  '{{ open_questions|join("; ") }}: here is the answer.')
    db.session.commit()
    client = outreach_app.test_client()
    sent = client.post("/api/v1/outreach", headers=ctx.headers("recruiter"), json={
        "candidate_id": str(candidate.id), "template_id": str(template.id)})
    assert sent.status_code == 202, sent.get_json()
    (delivered,) = provider.deliveries.values()  # type: ignore[attr-defined]
    assert SECRETS["quote"] in delivered["body"]
    assert SECRETS["open question"] in delivered["body"]
    assert delivered["to"] == SECRETS["phone"]
    replied = post_webhook(client, ctx.slug, [{
        "kind": "reply", "provider_event_id": "ev-q9ms", "sender": SECRETS["phone"],
        "in_reply_to": f"prov-{sent.get_json()['message_id']}", "text": SECRETS["reply"]}])
    assert replied.status_code == 200, replied.get_json()
    shown = client.get(f"/api/v1/candidates/{candidate.id}/interactions",
                       headers=ctx.headers("recruiter")).get_json()["items"]
    assert SECRETS["reply"] in {item["summary"] for item in shown}  # it was stored

    leaks = [(table, column, label) for table, column, text in raw_cells(database_urls)
             for label, value in SECRETS.items() if value.lower() in text.lower()]
    assert leaks == []
    if DB_KIND == "sqlite":
        assert file_contains(database_urls[0], SECRETS) == []
