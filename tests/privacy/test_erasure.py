"""Erasure: no trace left in any table, backups unreadable, tallies, audit, legal hold, API.

A "person" here has every kind of row Rekindle keeps about a candidate
(contact keys, skills, tags, a tag correction, interactions with a revision,
an offer, a queue decision, a consent record, a retention notice), with
values unique to the test so a scan of the whole database can look for them.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from saas.audit.models import AuditEvent
from saas.candidates.models import Candidate
from saas.candidates.timeline import Interaction
from saas.crypto.fields import DecryptionError, associated_data, open_sealed
from saas.crypto.keys import KeyDestroyed
from saas.extensions import db, limiter
from saas.privacy.erasure import (
    UnderLegalHold,
    add_erasure_step,
    erase_candidate,
    erasure_steps,
)
from saas.privacy.models import ConsentRecord, ErasureTally, RetentionNotice
from tests.candidates.test_api import in_tenant
from tests.factories import TenantFixture

SALARY = {"amount": 40000, "currency": "CNY", "period": "month"}


@dataclass
class Person:
    id: str
    name: str
    email: str
    phone: str
    wechat: str
    note: str
    quote: str
    question: str
    dismissal: str
    consent_source: str
    interaction_id: str = ""
    offer_id: str = ""
    secrets: dict[str, str] = field(default_factory=dict)

    def needles(self) -> dict[str, str]:
        """Every personal value that must leave no trace."""
        return {"name": self.name, "email": self.email, "phone": self.phone,
                "phone (national)": self.phone[3:], "wechat id": self.wechat,
                "note": self.note, "quote": self.quote, "open question": self.question,
                "dismissal reason": self.dismissal, "consent source": self.consent_source}


def make_person(app: Flask, tenant: TenantFixture) -> Person:
    """A candidate with every kind of row, made through the API where one exists."""
    marker = uuid.uuid4().hex[:10]
    person = Person(
        id="", name=f"擦除测试 {marker}", email=f"erase.{marker}@example.com",
        phone=f"+86139{random.randint(10_000_000, 99_999_999)}", wechat=f"wx_{marker}",
        note=f"最近在处理旧公司的项目,需要1个月时间 {marker}", quote=f"我再想想 {marker}",
        question=f"奖金部分怎么算 {marker}", dismissal=f"not now {marker}",
        consent_source=f"offer call {marker}")
    client = app.test_client()
    headers = tenant.headers()
    made = client.post("/api/v1/candidates", headers=headers, json={
        "name": person.name, "emails": [person.email], "phones": [person.phone],
        "wechat_id": person.wechat, "linkedin_url": f"https://www.linkedin.com/in/{marker}",
        "skills": ["python"], "values": ["flexibility"], "career_goal": f"goal {marker}",
        "birthday": "1990-05-01", "status": "active", "expected_salary": SALARY,
        "current_salary": SALARY})
    assert made.status_code == 201, made.get_json()
    person.id = made.get_json()["id"]
    url = f"/api/v1/candidates/{person.id}"
    entry = client.post(f"{url}/interactions", headers=headers, json={
        "direction": "inbound", "channel": "wechat", "summary": person.note,
        "quote": person.quote, "open_questions": [person.question]})
    assert entry.status_code == 201, entry.get_json()
    person.interaction_id = entry.get_json()["id"]
    edited = client.patch(f"{url}/interactions/{person.interaction_id}", headers=headers,
                          json={"summary": person.note + " (edited)"})
    assert edited.status_code == 200
    tags = client.get(f"{url}/tags", headers=headers).get_json()["items"]
    inferred = next(t for t in tags if t["source"] == "inferred")
    assert client.post(f"{url}/tags/{inferred['id']}/accept", headers=headers).status_code == 200
    offer = client.post("/api/v1/offers", headers=headers, json={
        "candidate_id": person.id, "sent_at": "2026-01-05T10:00:00+08:00",
        "respond_by": "2026-01-12T10:00:00+08:00"})
    assert offer.status_code == 201, offer.get_json()
    person.offer_id = offer.get_json()["id"]
    dismissed = client.post(f"/api/v1/queue/{person.id}/dismiss", headers=headers,
                            json={"reason": person.dismissal})
    assert dismissed.status_code in (200, 201), dismissed.get_json()
    with in_tenant(app, tenant):
        candidate_id = uuid.UUID(person.id)
        db.session.add(ConsentRecord(candidate_id=candidate_id, channel="email",
                                     basis="consent", source=person.consent_source,
                                     wording=f"May we write to {person.email}?"))
        db.session.add(RetentionNotice(candidate_id=candidate_id,
                                       erase_on=dt.date(2027, 1, 1)))
        db.session.commit()
    return person


def erase_api(app: Flask, tenant: TenantFixture, candidate_id: str, confirm: Any,
              role: str = "tenant_admin") -> Any:
    return app.test_client().post(f"/api/v1/candidates/{candidate_id}/erase",
                                  headers=tenant.headers(role), json={"confirm": confirm})


def admin_engine(database_urls: tuple[str, str]) -> sa.Engine:
    """The owner (superuser on PostgreSQL): reads every row, past row-level security."""
    return sa.create_engine(database_urls[1])


def _texts(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, bytes | bytearray | memoryview):
        return [bytes(value).decode("utf-8", errors="ignore")]
    if isinstance(value, dict | list):
        return [json.dumps(value, ensure_ascii=False)]
    return [str(value)]


def traces(engine: sa.Engine, needles: dict[str, str]) -> list[str]:
    """``table.column: what`` for every needle found anywhere in the database."""
    found = []
    metadata = sa.MetaData()
    metadata.reflect(engine)
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            for row in conn.execute(sa.select(table)).mappings():
                for column, value in row.items():
                    for text in _texts(value):
                        found += [f"{table.name}.{column}: {what}" for what, needle
                                  in needles.items() if needle in text]
    return found


def test_erasure_leaves_no_trace_in_any_table(
    app: Flask, tenant_a: TenantFixture, database_urls: tuple[str, str]
) -> None:
    person = make_person(app, tenant_a)
    engine = admin_engine(database_urls)
    try:
        before = traces(engine, person.needles())
        assert "candidates.name: name" in before  # the scan sees what is there
        response = erase_api(app, tenant_a, person.id, f"  {person.name.upper()} ")
        assert response.status_code == 200, response.get_json()
        assert response.get_json() == {"erased": True, "already_erased": False}
        assert traces(engine, person.needles()) == []
    finally:
        engine.dispose()
    with in_tenant(app, tenant_a):
        for table in db.metadata.sorted_tables:
            if "candidate_id" in table.c:
                left = db.session.execute(sa.select(sa.func.count()).select_from(table).where(
                    table.c.candidate_id == uuid.UUID(person.id))).scalar()
                assert left == 0, table.name


def test_a_backup_taken_before_erasure_no_longer_decrypts(
    app: Flask, tenant_a: TenantFixture
) -> None:
    person = make_person(app, tenant_a)
    candidate_id = uuid.UUID(person.id)
    with in_tenant(app, tenant_a):
        candidate = db.session.scalars(sa.select(Candidate)).one()
        entry = db.session.scalars(sa.select(Interaction)).one()
        backup = {  # the encrypted bytes as a database backup holds them
            ("candidates", candidate_id, "emails"): bytes(candidate.emails_ct or b""),
            ("candidates", candidate_id, "phones"): bytes(candidate.phones_ct or b""),
            ("interactions", entry.id, "summary"): bytes(entry.summary_ct or b""),
            ("interactions", entry.id, "quote"): bytes(entry.quote_ct or b""),
        }
        aad = {k: associated_data(tenant_a.id, *k) for k in backup}
        assert json.loads(open_sealed(backup[("candidates", candidate_id, "emails")],
                                      aad[("candidates", candidate_id, "emails")])) == [
            person.email]
    assert erase_api(app, tenant_a, person.id, person.name).status_code == 200
    with in_tenant(app, tenant_a):
        for where, blob in backup.items():
            with pytest.raises((KeyDestroyed, DecryptionError)):
                open_sealed(blob, aad[where])


def _tallies(app: Flask, tenant: TenantFixture) -> dict[tuple[str, str, str], int]:
    with in_tenant(app, tenant):
        return {(t.status, t.reason, t.cause): t.count
                for t in db.session.scalars(sa.select(ErasureTally))}


def test_erasure_is_idempotent_counted_and_audited_without_personal_data(
    app: Flask, tenant_a: TenantFixture
) -> None:
    first, second, third = (make_person(app, tenant_a) for _ in range(3))
    client = app.test_client()
    for person, status in ((first, "hired"), (second, "nurturing"), (third, "hired")):
        changed = client.patch(f"/api/v1/candidates/{person.id}", headers=tenant_a.headers(),
                               json={"status": status})
        assert changed.get_json()["status"] == status
    assert erase_api(app, tenant_a, first.id, first.name).status_code == 200
    again = erase_api(app, tenant_a, first.id, "anything")
    assert again.status_code == 200
    assert again.get_json() == {"erased": True, "already_erased": True}
    assert erase_api(app, tenant_a, second.id, second.name).status_code == 200
    with in_tenant(app, tenant_a):  # the retention job's way in
        candidate = db.session.scalars(sa.select(Candidate).where(
            Candidate.id == uuid.UUID(third.id))).one()
        result = erase_candidate(candidate, cause="retention", actor_kind="system")
        assert result.erased and result.keys_destroyed >= 1
        assert result.rows["interactions"] == 1 and result.rows["consent_records"] == 1
        db.session.commit()
        repeat = erase_candidate(candidate, cause="retention", actor_kind="system")
        assert repeat.erased is False
        db.session.commit()
    month = dt.datetime.now(dt.UTC).strftime("%Y-%m")
    assert _tallies(app, tenant_a) == {
        ("hired", "project_wrapup", "request"): 1,
        ("nurturing", "project_wrapup", "request"): 1,
        ("hired", "project_wrapup", "retention"): 1,
    }
    with in_tenant(app, tenant_a):
        assert {t.period for t in db.session.scalars(sa.select(ErasureTally))} == {month}
        events = list(db.session.scalars(sa.select(AuditEvent).where(
            AuditEvent.action == "candidate.erased")))
    assert sorted(e.target_id for e in events) == sorted([first.id, second.id, third.id])
    admin_events = [e for e in events if e.target_id == first.id]
    assert admin_events[0].actor_id == tenant_a.users["tenant_admin"]
    assert admin_events[0].detail["cause"] == "request"
    for event in events:
        text = json.dumps(event.detail, ensure_ascii=False)
        for person in (first, second, third):
            for needle in person.needles().values():
                assert needle not in text


def test_the_plain_delete_is_the_same_erasure(app: Flask, tenant_a: TenantFixture) -> None:
    person = make_person(app, tenant_a)
    client = app.test_client()
    url = f"/api/v1/candidates/{person.id}"
    status = client.get(url, headers=tenant_a.headers()).get_json()["status"]
    assert client.delete(url, headers=tenant_a.headers()).status_code == 204
    assert _tallies(app, tenant_a) == {(status, "project_wrapup", "request"): 1}
    with in_tenant(app, tenant_a):
        assert db.session.scalars(sa.select(AuditEvent.action).where(
            AuditEvent.target_id == person.id, AuditEvent.action == "candidate.erased")).one()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ConsentRecord)) == 0


def test_a_legal_hold_blocks_every_way_of_erasing(app: Flask, tenant_a: TenantFixture) -> None:
    person = make_person(app, tenant_a)
    with in_tenant(app, tenant_a):
        candidate = db.session.scalars(sa.select(Candidate)).one()
        candidate.legal_hold_at = dt.datetime.now(dt.UTC)
        candidate.legal_hold_reason = "litigation"
        db.session.commit()
    held = erase_api(app, tenant_a, person.id, person.name)
    assert held.status_code == 409
    assert held.content_type == "application/problem+json"
    assert "legal hold" in held.get_json()["detail"]
    client = app.test_client()
    deleted = client.delete(f"/api/v1/candidates/{person.id}", headers=tenant_a.headers())
    assert deleted.status_code == 409
    with in_tenant(app, tenant_a):
        candidate = db.session.scalars(sa.select(Candidate)).one()
        with pytest.raises(UnderLegalHold):
            erase_candidate(candidate, cause="retention")
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Interaction)) == 1
    assert _tallies(app, tenant_a) == {}


@pytest.mark.parametrize("body,field_name", [
    ({"confirm": "Someone else"}, "confirm"),
    ({"confirm": ""}, "confirm"),
    ({}, "confirm"),
    ({"confirm": "x", "force": True}, "force"),
    ({"confirm": 5}, "confirm"),
])
def test_bad_confirmations_are_422_and_erase_nothing(
    app: Flask, tenant_a: TenantFixture, body: dict[str, Any], field_name: str
) -> None:
    person = make_person(app, tenant_a)
    response = app.test_client().post(f"/api/v1/candidates/{person.id}/erase",
                                      headers=tenant_a.headers(), json=body)
    assert response.status_code == 422, response.get_json()
    assert field_name in response.get_json()["errors"]
    with in_tenant(app, tenant_a):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Candidate)) == 1


def test_permissions_and_other_tenants(
    app: Flask, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    person = make_person(app, tenant_a)
    for role in ("recruiter", "hiring_manager", "analyst"):
        assert erase_api(app, tenant_a, person.id, person.name, role).status_code == 403
    assert erase_api(app, tenant_b, person.id, person.name).status_code == 404
    assert erase_api(app, tenant_b, str(uuid.uuid4()), "x").status_code == 404
    with in_tenant(app, tenant_a):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Candidate)) == 1
        denied = db.session.scalars(sa.select(AuditEvent).where(
            AuditEvent.action == "permission.denied")).all()
        assert {e.detail["permission"] for e in denied} == {"candidate:erase"}


def test_erasures_are_rate_limited_per_user(app: Flask, tenant_a: TenantFixture) -> None:
    people = [make_person(app, tenant_a) for _ in range(3)]
    app.config["ERASURE_LIMIT"] = "2 per hour"
    try:
        codes = [erase_api(app, tenant_a, p.id, p.name).status_code for p in people]
        assert codes == [200, 200, 429]
        blocked = erase_api(app, tenant_a, people[2].id, people[2].name)
        assert blocked.content_type == "application/problem+json"
    finally:
        app.config.pop("ERASURE_LIMIT")
        limiter.reset()
    assert erase_api(app, tenant_a, people[2].id, people[2].name).status_code == 200


def test_other_packages_add_erasure_steps(app: Flask, tenant_a: TenantFixture) -> None:
    person = make_person(app, tenant_a)
    seen: list[uuid.UUID] = []

    def forget_signals(candidate_id: uuid.UUID) -> int:
        seen.append(candidate_id)
        return 2

    add_erasure_step(forget_signals)
    try:
        assert list(erasure_steps())[-1] == "forget_signals"
        with in_tenant(app, tenant_a):
            candidate = db.session.scalars(sa.select(Candidate)).one()
            result = erase_candidate(candidate, cause="request")
            db.session.commit()
        assert seen == [uuid.UUID(person.id)] and result.rows["forget_signals"] == 2
    finally:
        from saas.privacy import erasure

        erasure._STEPS.pop("forget_signals")
