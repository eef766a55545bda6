"""Tenant isolation: every scoped model, every API route with an id, Citus keys."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from flask import Flask

from saas.audit.models import AuditChainHead, AuditEvent
from saas.auth.models import ApiToken, User
from saas.campaigns.models import Campaign, CampaignEnrollment, CampaignStep
from saas.candidates.models import Candidate, CandidateContactKey, CandidateSkill
from saas.candidates.timeline import Interaction, InteractionRevision
from saas.crypto.keys import DataKey
from saas.extensions import db
from saas.hooks.models import PluginSetting
from saas.offers.models import Offer
from saas.openings.models import ChangeEvent, Opening
from saas.outreach.models import InboundMessage, OutboundMessage, Template, WebhookReceipt
from saas.privacy.models import ConsentRecord, ErasureTally, RetentionNotice
from saas.queue.models import QueueDecision
from saas.segments.models import SavedSegment
from saas.tags.models import CandidateTag, Tag, TagCorrection
from saas.tenancy.context import (
    CrossTenantWrite,
    TenantContextRequired,
    tenant_context,
    unscoped,
)
from saas.tenancy.scoped import is_tenant_scoped
from tests.factories import TenantFixture, csrf_from, login


def _audit_event() -> AuditEvent:
    return AuditEvent(action="test.event", actor_kind="system", outcome="success", detail={})


def _plugin_setting() -> PluginSetting:
    return PluginSetting(plugin_name=f"p_{uuid.uuid4().hex[:6]}", enabled=False, settings={})


def _data_key() -> DataKey:
    return DataKey(owner_kind="tenant", owner_id=uuid.uuid4(), purpose="test",
                   wrapped_by="master:none", wrapped_key=b"x", active=False)


def _user() -> User:
    return User(email=f"{uuid.uuid4().hex[:8]}@iso.example", name="Iso", role="analyst")


def _api_token(fixture_user_id: uuid.UUID) -> ApiToken:
    return ApiToken(user_id=fixture_user_id, name="iso", token_hash=uuid.uuid4().hex * 2,
                    hint="abcd")


def _candidate() -> Candidate:
    candidate = Candidate(name="Iso Candidate", status="stalled")
    db.session.add(candidate)
    db.session.flush()
    return candidate


def _interaction() -> Interaction:
    interaction = Interaction(candidate_id=_candidate().id, direction="note",
                              occurred_at=dt.datetime(2026, 1, 5, tzinfo=dt.UTC))
    interaction.summary = "Iso note"
    db.session.add(interaction)
    db.session.flush()
    return interaction


def _revision() -> InteractionRevision:
    interaction = _interaction()
    revision = InteractionRevision(interaction_id=interaction.id,
                                   candidate_id=interaction.candidate_id, version=1)
    revision.snapshot = {"summary": "before"}
    return revision


def _offer() -> Offer:
    sent = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
    return Offer(candidate_id=_candidate().id, sent_at=sent,
                 respond_by=sent + dt.timedelta(days=7))


def _campaign() -> Campaign:
    campaign = Campaign(name=f"iso {uuid.uuid4().hex[:6]}", segment_query="")
    db.session.add(campaign)
    db.session.flush()
    return campaign


def _outbound() -> OutboundMessage:
    message = OutboundMessage(candidate_id=_candidate().id, idempotency_key=uuid.uuid4().hex,
                              channel="email", content_hash="0" * 64)
    message.body = "Iso body"
    return message


# Every tenant-scoped model needs a factory here; the test below fails otherwise,
# so a new table cannot skip its isolation test.
FACTORIES: dict[type, Callable[[TenantFixture], object]] = {
    AuditEvent: lambda t: _audit_event(),
    PluginSetting: lambda t: _plugin_setting(),
    DataKey: lambda t: _data_key(),
    User: lambda t: _user(),
    ApiToken: lambda t: _api_token(t.users["analyst"]),
    Candidate: lambda t: Candidate(name="Iso Candidate"),
    CandidateContactKey: lambda t: CandidateContactKey(
        candidate_id=_candidate().id, kind="email", digest=uuid.uuid4().hex),
    CandidateSkill: lambda t: CandidateSkill(candidate_id=_candidate().id, skill="pmp"),
    Interaction: lambda t: _interaction(),
    InteractionRevision: lambda t: _revision(),
    Offer: lambda t: _offer(),
    Tag: lambda t: Tag(code=f"t{uuid.uuid4().hex[:6]}", label="Iso"),
    CandidateTag: lambda t: CandidateTag(candidate_id=_candidate().id, dimension="reason",
                                         code="project_wrapup", source="manual"),
    TagCorrection: lambda t: TagCorrection(candidate_id=_candidate().id, dimension="reason",
                                           action="remove", inferred_code="health"),
    SavedSegment: lambda t: SavedSegment(name=f"iso {uuid.uuid4().hex[:6]}",
                                         query="status:stalled"),
    ConsentRecord: lambda t: ConsentRecord(candidate_id=_candidate().id, channel="email",
                                           basis="consent", source="iso"),
    RetentionNotice: lambda t: RetentionNotice(candidate_id=_candidate().id,
                                               erase_on=dt.date(2026, 3, 1)),
    ErasureTally: lambda t: ErasureTally(period="2026-01", status="stalled", reason="",
                                         cause="request", count=1),
    # One head per tenant, made by the first audit event: the existing one is the row.
    AuditChainHead: lambda t: db.session.scalars(sa.select(AuditChainHead)).first()
    or AuditChainHead(last_seq=0, last_hash=""),
    Opening: lambda t: Opening(title="Iso opening"),
    ChangeEvent: lambda t: ChangeEvent(kind="policy", title="Iso", occurred_on=dt.date(2026, 1, 1)),
    Template: lambda t: Template(name=f"iso {uuid.uuid4().hex[:6]}", channel="email",
                                 locale="en", body="Hi"),
    OutboundMessage: lambda t: _outbound(),
    InboundMessage: lambda t: InboundMessage(channel="email", kind="reply",
                                             provider_event_id=uuid.uuid4().hex),
    WebhookReceipt: lambda t: WebhookReceipt(channel="sms", signature=uuid.uuid4().hex),
    Campaign: lambda t: Campaign(name=f"iso {uuid.uuid4().hex[:6]}", segment_query=""),
    CampaignStep: lambda t: CampaignStep(campaign_id=_campaign().id, position=0,
                                         template_name="iso"),
    CampaignEnrollment: lambda t: CampaignEnrollment(campaign_id=_campaign().id,
                                                     candidate_id=_candidate().id),
    QueueDecision: lambda t: QueueDecision(candidate_id=_candidate().id, decision="snooze",
                                           active_until=dt.date(2026, 2, 1)),
}


def scoped_models() -> list[type]:
    return sorted(
        (m.class_ for m in db.Model.registry.mappers if is_tenant_scoped(m.class_)),
        key=lambda c: c.__name__,
    )


def test_every_scoped_model_has_an_isolation_factory() -> None:
    missing = [m.__name__ for m in scoped_models() if m not in FACTORIES]
    assert not missing, f"add isolation factories for: {missing}"


@pytest.mark.parametrize("model", scoped_models(), ids=lambda m: m.__name__)
def test_scoped_model_is_isolated(
    app: Flask, tenant_a: TenantFixture, tenant_b: TenantFixture, model: type
) -> None:
    with app.app_context():
        with tenant_context(tenant_a.id):
            row = FACTORIES[model](tenant_a)
            db.session.add(row)
            db.session.flush()
            assert row.tenant_id == tenant_a.id  # stamped on insert
            row_id = row.id
            db.session.commit()
        with tenant_context(tenant_b.id):
            assert db.session.scalars(sa.select(model).where(model.id == row_id)).first() is None
            ids = set(db.session.scalars(sa.select(model.id)))
            assert row_id not in ids
            count = db.session.scalar(sa.select(sa.func.count()).select_from(model))
            with tenant_context(tenant_a.id):
                assert db.session.scalars(
                    sa.select(model).where(model.id == row_id)
                ).first() is not None
            assert count == len(ids)
        with pytest.raises(TenantContextRequired):
            db.session.scalars(sa.select(model)).all()
        db.session.rollback()


def test_insert_without_tenant_raises(app: Flask) -> None:
    with app.app_context():
        db.session.add(_audit_event())
        with pytest.raises(TenantContextRequired):
            db.session.flush()
        db.session.rollback()


def test_writing_another_tenants_row_raises(
    app: Flask, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    with app.app_context(), tenant_context(tenant_b.id):
        db.session.add(AuditEvent(tenant_id=tenant_a.id, action="x", actor_kind="system",
                                  outcome="success", detail={}))
        with pytest.raises(CrossTenantWrite):
            db.session.flush()
        db.session.rollback()


def test_bulk_update_is_scoped(
    app: Flask, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    with app.app_context():
        with tenant_context(tenant_b.id):
            db.session.execute(sa.update(User).values(name="hijacked"))
            db.session.commit()
        with tenant_context(tenant_a.id):
            names = set(db.session.scalars(sa.select(User.name)))
        assert "hijacked" not in names


def test_unscoped_needs_a_reason_and_sees_all(
    app: Flask, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    with pytest.raises(ValueError), unscoped(reason=" "):
        pass
    with app.app_context(), unscoped(reason="test reads every tenant"):
        tenants = set(db.session.scalars(sa.select(User.tenant_id)))
    assert {tenant_a.id, tenant_b.id} <= tenants


def test_citus_ready_keys() -> None:
    """tenant_id leads every primary key and unique constraint; tenant FKs carry it."""
    problems: list[str] = []
    for table in db.metadata.sorted_tables:
        if "tenant_id" not in table.c:
            continue
        pk = [c.name for c in table.primary_key.columns]
        if pk[0] != "tenant_id":
            problems.append(f"{table.name}: primary key {pk} does not start with tenant_id")
        for constraint in table.constraints:
            if isinstance(constraint, sa.UniqueConstraint):
                cols = [c.name for c in constraint.columns]
                if cols[0] != "tenant_id":
                    problems.append(f"{table.name}: unique {cols} does not start with tenant_id")
            if isinstance(constraint, sa.ForeignKeyConstraint):
                target = constraint.referred_table
                local = [c.name for c in constraint.columns]
                if "tenant_id" in target.c and target.name != "tenants" and (
                    "tenant_id" not in local
                ):
                    problems.append(f"{table.name}: FK to {target.name} lacks tenant_id")
        for index in table.indexes:
            if index.unique and next(c.name for c in index.columns) != "tenant_id":
                problems.append(f"{table.name}: unique index {index.name} lacks tenant_id")
    assert not problems, "\n".join(problems)


# --- every API route with an id: tenant B's token gets 404 for A's object -------------

ID_PARAM = re.compile(r"<(?:\w+:)?(\w+_id|plugin_name)>")


def _object_ids(app: Flask, owner: TenantFixture) -> dict[str, str]:
    """An object of tenant A for each kind of id a route can take (made through the API)."""
    client = app.test_client()
    headers = owner.headers()

    def made(url: str, body: dict[str, object]) -> str:
        response = client.post(url, headers=headers, json=body)
        assert response.status_code in (200, 201), (url, response.get_json())
        return str(response.get_json()["id"])

    candidate_id = made("/api/v1/candidates", {"name": "Iso Candidate"})
    with app.app_context(), tenant_context(owner.id):
        message = _outbound()
        db.session.add(message)
        db.session.flush()
        message_id = str(message.id)
        db.session.commit()
    template_name = f"iso {uuid.uuid4().hex[:6]}"
    template_id = made("/api/v1/templates", {
        "name": template_name, "channel": "email", "locale": "en",
        "subject": "Hello", "body": "Hello {{ candidate.name }}"})
    tag_code = f"iso-{uuid.uuid4().hex[:6]}"
    tag_id = made("/api/v1/tags", {"code": tag_code, "label": "Iso"})
    return {
        "user_id": str(owner.users["recruiter"]),
        "token_id": made("/api/v1/tokens", {"name": "iso"}),
        "candidate_id": candidate_id,
        "interaction_id": made(f"/api/v1/candidates/{candidate_id}/interactions",
                               {"summary": "Iso note"}),
        "offer_id": made("/api/v1/offers", {
            "candidate_id": candidate_id, "sent_at": "2026-01-05T10:00:00+08:00",
            "respond_by": "2026-01-12T10:00:00+08:00"}),
        "segment_id": made("/api/v1/segments", {"name": f"iso {uuid.uuid4().hex[:6]}",
                                                "query": ""}),
        "tag_id": tag_id,
        "message_id": message_id,
        "opening_id": made("/api/v1/openings", {"title": "Iso lead"}),
        "event_id": made("/api/v1/change-events", {
            "kind": "award", "title": "Iso award", "occurred_on": "2026-03-01"}),
        "template_id": template_id,
        "campaign_id": made("/api/v1/campaigns", {
            "name": f"iso {uuid.uuid4().hex[:6]}",
            "steps": [{"delay_days": 0, "template_name": template_name}]}),
        "candidate_tag_id": made(f"/api/v1/candidates/{candidate_id}/tags",
                                 {"tag": tag_code}),
    }


def api_routes_with_ids(app: Flask) -> list[tuple[str, str, str]]:
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        for param in ID_PARAM.findall(rule.rule):
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                routes.append((rule.rule, method, param))
    return routes


def test_every_id_route_is_404_for_another_tenant(
    app: Flask, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    ids = _object_ids(app, tenant_a)
    # DELETE last: tenant A's own request below really deletes the object.
    routes = sorted(api_routes_with_ids(app), key=lambda route: route[1] == "DELETE")
    assert routes, "expected routes with ids"
    client = app.test_client()
    for rule, method, param in routes:
        if param == "plugin_name":
            continue  # plugins are installed for all; their settings are per tenant (tested)
        assert param in ids, f"add an object for {param} (route {rule}) to _object_ids"
        url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: ids[m.group(1)], rule)
        response = client.open(url, method=method, headers=tenant_b.headers(), json={})
        assert response.status_code == 404, (method, url, response.status_code)
        own = client.open(url, method="GET" if method != "DELETE" else "DELETE",
                          headers=tenant_a.headers(), json=None)
        assert own.status_code != 404 or method == "DELETE", (method, url)


# --- every web page with an id: tenant B's admin gets the 404 page for A's object -----

def web_routes_with_ids(app: Flask) -> list[tuple[str, str, str]]:
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            continue
        for param in ID_PARAM.findall(rule.rule):
            if param == "plugin_name":
                continue
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                routes.append((rule.rule, method, param))
    return routes


def test_every_web_page_with_an_id_is_404_for_another_tenant(
    app: Flask, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    ids = _object_ids(app, tenant_a)
    routes = web_routes_with_ids(app)
    assert routes, "expected pages with ids"
    client = app.test_client()
    assert login(client, tenant_b).status_code == 302
    token = csrf_from(client.get("/account").get_data(as_text=True))
    for rule, method, param in routes:
        assert param in ids, f"add an object for {param} (page {rule}) to _object_ids"
        url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: ids[m.group(1)], rule)
        data = {"csrf_token": token} if method == "POST" else None
        response = client.open(url, method=method, data=data)
        assert response.status_code == 404, (method, url, response.status_code)
        assert "text/html" in response.content_type
