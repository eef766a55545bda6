"""Access requests: the archive (JSON + HTML), its API, limits, audit and restricted fields."""

from __future__ import annotations

import io
import json
import re
import uuid
import zipfile
from html.parser import HTMLParser
from typing import Any

import sqlalchemy as sa
from flask import Flask

from saas.audit.models import AuditEvent
from saas.candidates.models import Candidate
from saas.extensions import db, limiter
from saas.privacy import access
from saas.privacy.access import add_access_section, build_access_archive
from tests.candidates.test_api import in_tenant
from tests.factories import TenantFixture
from tests.privacy.test_erasure import SALARY, Person, make_person

SECTIONS = {"profile", "tags", "tag_corrections", "timeline", "offers", "consents",
            "queue_decisions", "retention_notice", "access_log"}
VOID = {"meta", "br", "hr", "img", "input", "link"}


def export(app: Flask, tenant: TenantFixture, candidate_id: str,
           role: str = "tenant_admin") -> Any:
    return app.test_client().get(f"/api/v1/candidates/{candidate_id}/access-export",
                                 headers=tenant.headers(role))


def unpack(body: bytes) -> tuple[dict[str, Any], str]:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert archive.testzip() is None
        assert sorted(archive.namelist()) == ["candidate.html", "candidate.json"]
        document = json.loads(archive.read("candidate.json"))
        html = archive.read("candidate.html").decode()
    return document, html


class Balanced(HTMLParser):
    """Checks that every element opened is closed in order, and counts scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script" or any(name.startswith("on") for name, _ in attrs):
            self.scripts += 1
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.problems.append(tag)


def well_formed(html: str) -> Balanced:
    parser = Balanced()
    parser.feed(html)
    parser.close()
    assert parser.problems == [] and parser.stack == [], (parser.problems, parser.stack)
    return parser


def test_the_export_holds_every_section_decrypted_and_nothing_of_anyone_else(
    app: Flask, tenant_a: TenantFixture
) -> None:
    person = make_person(app, tenant_a)
    other = make_person(app, tenant_a)
    response = export(app, tenant_a, person.id)
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="rekindle-access-{person.id}.zip"')
    document, html = unpack(response.data)
    sections = document["sections"]
    assert set(sections) == SECTIONS
    assert document["omitted_fields"] == []
    profile = sections["profile"]
    assert profile["name"] == person.name and profile["emails"] == [person.email]
    assert profile["phones"] == [person.phone] and profile["wechat_id"] == person.wechat
    assert profile["expected_salary"] == SALARY and profile["birthday"] == "1990-05-01"
    [entry] = sections["timeline"]
    assert entry["summary"].endswith("(edited)") and entry["quote"] == person.quote
    assert entry["open_questions"][0]["text"] == person.question
    assert entry["revisions"][0]["summary"] == person.note
    assert {t["source"] for t in sections["tags"]} >= {"manual"}
    assert sections["tag_corrections"][0]["action"] == "accept"
    assert sections["offers"][0]["id"] == person.offer_id
    assert sections["consents"][0]["source"] == person.consent_source
    assert sections["queue_decisions"][0]["reason"] == person.dismissal
    assert sections["retention_notice"]["erase_on"] == "2027-01-01"
    actions = {(e["action"], e["actor"]) for e in sections["access_log"]}
    assert ("candidate.created", "Tenant_Admin") in actions
    assert ("interaction.edited", "Tenant_Admin") in actions
    assert ("candidate.exported", "Tenant_Admin") in actions  # this very export
    both = json.dumps(document, ensure_ascii=False) + html
    for needle in other.needles().values():
        assert needle not in both
    for value in (person.name, person.email, person.quote, person.dismissal):
        assert value in html
    assert re.search(r'<html lang="(en|zh-CN)">', html)
    assert well_formed(html).scripts == 0


def test_the_page_escapes_what_people_typed(app: Flask, tenant_a: TenantFixture) -> None:
    client = app.test_client()
    made = client.post("/api/v1/candidates", headers=tenant_a.headers(), json={
        "name": '<script>alert("x")</script>', "title": '"><img src=x onerror=alert(1)>'})
    candidate_id = made.get_json()["id"]
    client.post(f"/api/v1/candidates/{candidate_id}/interactions", headers=tenant_a.headers(),
                json={"summary": "<b>bold</b> & <i>more</i>"})
    document, html = unpack(export(app, tenant_a, candidate_id).data)
    assert document["sections"]["profile"]["name"] == '<script>alert("x")</script>'
    assert "<script>" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html and "&lt;b&gt;bold&lt;/b&gt; &amp;" in html
    assert well_formed(html).scripts == 0


def test_exports_leave_out_compensation_for_roles_that_may_not_read_it(
    app: Flask, tenant_a: TenantFixture
) -> None:
    person = make_person(app, tenant_a)
    with in_tenant(app, tenant_a), app.test_request_context():
        candidate = db.session.scalars(sa.select(Candidate)).one()
        allowed = unpack(build_access_archive(candidate, permissions=frozenset({
            "candidate:read", "candidate:export", "candidate:read_compensation"})))
        refused = unpack(build_access_archive(candidate, permissions=frozenset({
            "candidate:read", "candidate:export"})))
    assert allowed[0]["sections"]["profile"]["current_salary"] == SALARY
    assert allowed[0]["omitted_fields"] == []
    profile = refused[0]["sections"]["profile"]
    assert "expected_salary" not in profile and "current_salary" not in profile
    assert refused[0]["omitted_fields"] == ["current_salary", "expected_salary"]
    assert "40,000" in allowed[1] and "40,000" not in refused[1]
    assert "Left out because" in refused[1]
    assert profile["emails"] == [person.email]


def test_export_permissions_audit_and_other_tenants(
    app: Flask, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    person = make_person(app, tenant_a)
    for role in ("recruiter", "hiring_manager", "analyst"):
        assert export(app, tenant_a, person.id, role).status_code == 403
    assert export(app, tenant_b, person.id).status_code == 404
    assert export(app, tenant_a, str(uuid.uuid4())).status_code == 404
    assert export(app, tenant_a, person.id).status_code == 200
    with in_tenant(app, tenant_a):
        [event] = db.session.scalars(sa.select(AuditEvent).where(
            AuditEvent.action == "candidate.exported")).all()
    assert event.target_id == person.id and event.actor_id == tenant_a.users["tenant_admin"]
    assert event.detail == {"via": "api", "omitted_fields": []}


def test_exports_are_rate_limited_per_user(app: Flask, tenant_a: TenantFixture) -> None:
    person = make_person(app, tenant_a)
    app.config["ACCESS_EXPORT_LIMIT"] = "2 per hour"
    try:
        codes = [export(app, tenant_a, person.id).status_code for _ in range(3)]
        assert codes == [200, 200, 429]
        assert export(app, tenant_a, person.id).content_type == "application/problem+json"
    finally:
        app.config.pop("ACCESS_EXPORT_LIMIT")
        limiter.reset()


def test_other_packages_add_sections(app: Flask, tenant_a: TenantFixture) -> None:
    person: Person = make_person(app, tenant_a)

    def signals(candidate: Candidate, _ctx: access.AccessContext) -> list[dict[str, Any]]:
        return [{"kind": "open_to_work", "candidate": str(candidate.id)}]

    add_access_section("signals", signals, "Signals")
    try:
        document, html = unpack(export(app, tenant_a, person.id).data)
    finally:
        access._SECTIONS.pop("signals")
    assert document["sections"]["signals"] == [{"kind": "open_to_work",
                                                "candidate": person.id}]
    assert "<h2>Signals</h2>" in html and "open_to_work" in html
