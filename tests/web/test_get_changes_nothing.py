"""No state change over GET: opening every page of the web app leaves the data as it was.

A tenant with the demo data, the starter templates and a configured plugin; a
tenant admin opens every GET page of the app (each ``<..._id>`` filled with a
real object of that kind), then a staff member opens every console page. Every
table's rows are the same afterwards; only the audit trails may grow (reads of
a tenant by staff and refusals are audited on purpose).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from saas.auth.models import ApiToken, User
from saas.candidates.models import Candidate
from saas.candidates.seed import load_seed_files
from saas.candidates.timeline import Interaction
from saas.extensions import db
from saas.hooks.settings import configure_plugin
from saas.offers.models import Offer
from saas.openings.models import ChangeEvent, Opening
from saas.outreach.models import Template
from saas.outreach.templates_service import install_starters
from saas.tags.models import CandidateTag, Tag
from saas.tenancy.context import tenant_context, unscoped
from tests.factories import TenantFixture, login, signed_in_staff

DEMO = Path(__file__).resolve().parents[2] / "tenants" / "demo"
# Tables a GET may add to: the audit trails (staff reads and refusals are recorded)...
APPEND_ONLY = {"audit_events", "platform_audit_events"}
# ...and the heads of their hash chains, which move with every event.
CHAIN_HEADS = {"audit_chain_heads", "platform_audit_chain_heads"}
# The model whose first row stands in for each kind of id in a URL.
ID_SOURCES: dict[str, Any] = {
    "candidate_id": Candidate.id, "interaction_id": Interaction.id, "offer_id": Offer.id,
    "candidate_tag_id": CandidateTag.id, "tag_id": Tag.id, "opening_id": Opening.id,
    "event_id": ChangeEvent.id, "template_id": Template.id, "user_id": User.id,
    "token_id": ApiToken.id,
}


def _snapshot(app: Flask) -> dict[str, set[tuple[str, ...]]]:
    """Every row of every table, every tenant's (unscoped: on PostgreSQL past row-level
    security too)."""
    with app.app_context(), unscoped(reason="test: compare all data"), \
            db.engine.connect() as connection:
        return {
            table.name: {tuple(repr(v) for v in row)
                         for row in connection.execute(sa.select(table))}
            for table in db.metadata.sorted_tables
        }


def _ids(app: Flask, tenant: TenantFixture) -> dict[str, str]:
    with app.app_context(), tenant_context(tenant.id):
        found = {name: db.session.scalars(sa.select(column)).first()
                 for name, column in ID_SOURCES.items()}
        # The candidate whose interaction, offer and tag the URLs name.
        interaction = db.session.scalars(sa.select(Interaction)).first()
        if interaction is not None:
            found["candidate_id"] = interaction.candidate_id
    return {name: str(value or uuid.uuid4()) for name, value in found.items()}


def _get_pages(app: Flask, ids: dict[str, str], prefix: str) -> Iterator[str]:
    """Every GET page under ``prefix`` with its ids filled in (unknown kinds: a random id)."""
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.endpoint == "web.static" \
                or rule.rule.startswith("/api") or not rule.rule.startswith(prefix):
            continue
        values: dict[str, str] = {}
        for name in rule.arguments:
            values[name] = ids.get(name, str(uuid.uuid4()))
        with app.test_request_context():
            yield rule.build(values, append_unknown=False)[1]  # type: ignore[index]


def _seed(app: Flask, tenant: TenantFixture, tmp: Path) -> None:
    owner = tenant.emails["tenant_admin"]
    text = (DEMO / "candidates.jsonl").read_text("utf-8").splitlines()[:20]
    data = tmp / "candidates.jsonl"
    data.write_text("\n".join(text).replace("recruiter@demo.example", owner)
                    .replace("admin@demo.example", owner), encoding="utf-8")
    with app.app_context(), tenant_context(tenant.id):
        load_seed_files([data, DEMO / "company.jsonl"])
        install_starters()
        configure_plugin("channel_email", enabled=True, settings={
            "host": "smtp.example.com", "port": 587, "sender": "talent@example.com"})
        db.session.commit()


def _visit(client: FlaskClient, paths: list[str]) -> list[str]:
    visited = []
    for path in paths:
        response = client.get(path)
        assert response.status_code in (200, 302, 403, 404), f"{path}: {response.status_code}"
        visited.append(f"{path} {response.status_code}")
    return visited


def _assert_unchanged(start: dict[str, set[tuple[str, ...]]],
                      end: dict[str, set[tuple[str, ...]]], who: str) -> None:
    changed = sorted(name for name in end if name not in APPEND_ONLY | CHAIN_HEADS
                     and end[name] != start[name])
    assert not changed, f"GET pages opened by {who} changed {changed}"
    for name in APPEND_ONLY & end.keys():
        assert start[name] <= end[name], f"{name}: rows were changed or removed"


def test_opening_every_page_changes_no_data(app: Flask, tenant_a: TenantFixture,
                                            tmp_path: Path) -> None:
    _seed(app, tenant_a, tmp_path)
    ids = {**_ids(app, tenant_a), "slug": tenant_a.slug, "name": "channel_email",
           "token": "not-a-real-unsubscribe-token"}

    admin = app.test_client()
    assert login(admin, tenant_a).status_code == 302  # a POST: it may record the sign-in
    before = _snapshot(app)
    pages = [p for p in _get_pages(app, ids, "/") if not p.startswith("/console")]
    assert len(pages) > 40, pages
    visited = _visit(admin, [*pages, f"/outreach/compose?candidate_id={ids['candidate_id']}"])
    assert sum(v.endswith(" 200") for v in visited) > 35, visited
    assert not [v for v in visited if v.endswith(" 403")], visited  # an admin may open all
    _assert_unchanged(before, _snapshot(app), "a tenant admin")

    staff = signed_in_staff(app)
    before = _snapshot(app)
    consoles = [p for p in _get_pages(app, ids, "/console") if p != "/console/login"]
    visited = _visit(staff, [*consoles, f"/console/apply?slug={tenant_a.slug}"])
    assert all(v.endswith(" 200") for v in visited), visited
    _assert_unchanged(before, _snapshot(app), "staff")
