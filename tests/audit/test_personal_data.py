"""No personal data in the audit trails: a typical flow's values never reach an event."""

from __future__ import annotations

import json

import sqlalchemy as sa
from flask import Flask

from saas.audit.models import AuditEvent, PlatformAuditEvent
from saas.extensions import db
from saas.tenancy.context import unscoped
from tests.factories import TenantFixture

NAME = "欧阳娜娜"
EMAIL = "ouyang.nana@example.com"
PHONE = "+8613912345678"
WECHAT = "oyn_private_77"
NOTE = "她说家里老人生病需要照顾半年"
GOAL = "三年内成为技术总监"


def test_a_candidates_personal_data_never_reaches_the_audit_trails(
    app: Flask, tenant_a: TenantFixture
) -> None:
    client = app.test_client()
    headers = tenant_a.headers("recruiter")
    created = client.post("/api/v1/candidates", headers=headers, json={
        "name": NAME, "emails": [EMAIL], "phones": [PHONE], "wechat_id": WECHAT,
        "career_goal": GOAL, "city": "上海"})
    assert created.status_code == 201, created.get_json()
    candidate_id = created.get_json()["id"]
    note = client.post(f"/api/v1/candidates/{candidate_id}/interactions", headers=headers,
                       json={"summary": NOTE, "channel": "wechat", "direction": "inbound"})
    assert note.status_code == 201, note.get_json()
    changed = client.patch(f"/api/v1/candidates/{candidate_id}", headers=headers,
                           json={"name": NAME + "2", "emails": [EMAIL, "second." + EMAIL]})
    assert changed.status_code == 200, changed.get_json()

    secrets = [NAME, EMAIL, "13912345678", WECHAT, NOTE, GOAL, "ouyang"]
    with app.app_context(), unscoped(reason="test scans every audit row for personal data"):
        rows = [*db.session.scalars(sa.select(AuditEvent)),
                *db.session.scalars(sa.select(PlatformAuditEvent))]
        written = "\n".join(
            json.dumps({c.key: getattr(row, c.key) for c in sa.inspect(row).mapper.column_attrs},
                       ensure_ascii=False, default=str)
            for row in rows)
    assert candidate_id in written  # the events are there, by id
    leaked = [value for value in secrets if value.lower() in written.lower()]
    assert not leaked, f"personal data in the audit trail: {leaked}"
