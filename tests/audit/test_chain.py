"""The hash chain: positions without gaps, links, hashes, and what verification finds."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid

import pytest
import sqlalchemy as sa
from flask import Flask

from saas import audit
from saas.audit.chain import event_hash
from saas.audit.models import AuditChainHead, AuditEvent, PlatformAuditEvent
from saas.audit.verify import verify_chain
from saas.extensions import db
from saas.tenancy.context import tenant_context
from tests.audit.conftest import record_events, tamper
from tests.factories import TenantFixture


def _trail(app: Flask, tenant: TenantFixture) -> list[AuditEvent]:
    with app.app_context(), tenant_context(tenant.id):
        return list(db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.seq)))


def _verify(app: Flask, tenant: TenantFixture) -> object:
    with app.app_context():
        return verify_chain(tenant.id)


def test_every_event_gets_the_next_position_and_links_to_the_one_before(
    app: Flask, tenant_a: TenantFixture
) -> None:
    record_events(app, tenant_a.id, 5)
    events = _trail(app, tenant_a)
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert events[0].prev_hash == ""
    for before, after in itertools.pairwise(events):
        assert after.prev_hash == before.hash
    for event in events:
        assert event.hash == event_hash(event, tenant_id=tenant_a.id, seq=event.seq,
                                        prev_hash=event.prev_hash)
    with app.app_context(), tenant_context(tenant_a.id):
        head = db.session.scalars(sa.select(AuditChainHead)).one()
        assert (head.last_seq, head.last_hash) == (events[-1].seq, events[-1].hash)


def test_events_added_directly_are_chained_in_the_order_added(
    app: Flask, tenant_a: TenantFixture
) -> None:
    with app.app_context(), tenant_context(tenant_a.id):
        for name in ("first", "second", "third"):
            db.session.add(AuditEvent(action=f"test.{name}", actor_kind="system",
                                      outcome="success", detail={"t": (1, 2)}))
        db.session.commit()
    events = _trail(app, tenant_a)
    assert [e.action for e in events[-3:]] == ["test.first", "test.second", "test.third"]
    assert events[-1].detail == {"t": [1, 2]}  # stored exactly as hashed
    assert _verify(app, tenant_a).ok  # type: ignore[attr-defined]


def test_each_tenant_has_its_own_chain(
    app: Flask, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    record_events(app, tenant_a.id, 3)
    a, b = _trail(app, tenant_a), _trail(app, tenant_b)
    assert b[0].seq == 1 and b[0].prev_hash == ""
    assert len(a) == len(b) + 3
    # The tenant is part of the hash: the same content in another trail hashes differently.
    assert event_hash(a[0], tenant_id=tenant_b.id, seq=1, prev_hash="") != a[0].hash


def test_platform_events_form_the_platform_chain(app: Flask) -> None:
    with app.app_context():
        audit.record("auth.login", outcome="failure", actor_kind="anonymous",
                     detail={"reason": "unknown_workspace"}, commit=True)
        audit.record("auth.login", outcome="failure", actor_kind="anonymous",
                     detail={"reason": "unknown_workspace"}, commit=True)
        last_two = list(db.session.scalars(
            sa.select(PlatformAuditEvent).order_by(PlatformAuditEvent.seq.desc()).limit(2)))
        assert last_two[0].seq == last_two[1].seq + 1
        assert last_two[0].prev_hash == last_two[1].hash
        assert verify_chain(None).ok


def test_a_clean_trail_verifies(app: Flask, tenant_a: TenantFixture) -> None:
    record_events(app, tenant_a.id, 4)
    result = _verify(app, tenant_a)
    assert result.ok, result.problems  # type: ignore[attr-defined]
    assert result.events == len(_trail(app, tenant_a))  # type: ignore[attr-defined]


def test_a_modified_event_is_found_at_its_position(
    app: Flask, tenant_a: TenantFixture, owner_engine: sa.Engine
) -> None:
    record_events(app, tenant_a.id, 5)
    target = _trail(app, tenant_a)[-3].seq
    tamper(owner_engine, "UPDATE audit_events SET detail = :d WHERE tenant_id = :t AND seq = :s",
           d={"index": 99}, t=tenant_a.id, s=target)
    result = _verify(app, tenant_a)
    assert [(p.kind, p.seq) for p in result.problems] == [("modified", target)]  # type: ignore[attr-defined]
    assert "changed" in result.problems[0].message()  # type: ignore[attr-defined]


def test_a_modified_event_with_a_recomputed_hash_breaks_the_next_link(
    app: Flask, tenant_a: TenantFixture, owner_engine: sa.Engine
) -> None:
    record_events(app, tenant_a.id, 4)
    event = _trail(app, tenant_a)[-2]
    event.outcome = "failure"
    forged = event_hash(event, tenant_id=tenant_a.id, seq=event.seq, prev_hash=event.prev_hash)
    tamper(owner_engine, "UPDATE audit_events SET outcome = 'failure', hash = :h "
           "WHERE tenant_id = :t AND seq = :s", h=forged, t=tenant_a.id, s=event.seq)
    result = _verify(app, tenant_a)
    assert [(p.kind, p.seq) for p in result.problems] == [("broken_link", event.seq + 1)]  # type: ignore[attr-defined]


def test_a_removed_event_is_found(
    app: Flask, tenant_a: TenantFixture, owner_engine: sa.Engine
) -> None:
    record_events(app, tenant_a.id, 5)
    target = _trail(app, tenant_a)[-3].seq
    tamper(owner_engine, "DELETE FROM audit_events WHERE tenant_id = :t AND seq = :s",
           t=tenant_a.id, s=target)
    result = _verify(app, tenant_a)
    assert [(p.kind, p.seq) for p in result.problems] == [("removed", target)]  # type: ignore[attr-defined]
    assert str(target) in result.problems[0].message()  # type: ignore[attr-defined]


def test_removing_the_last_events_is_found_by_the_head(
    app: Flask, tenant_a: TenantFixture, owner_engine: sa.Engine
) -> None:
    record_events(app, tenant_a.id, 3)
    last = _trail(app, tenant_a)[-1].seq
    tamper(owner_engine, "DELETE FROM audit_events WHERE tenant_id = :t AND seq >= :s",
           t=tenant_a.id, s=last - 1)
    result = _verify(app, tenant_a)
    assert [(p.kind, p.seq, p.other) for p in result.problems] == [  # type: ignore[attr-defined]
        ("removed", last - 1, last)]


def test_swapped_events_are_found_as_reordered(
    app: Flask, tenant_a: TenantFixture, owner_engine: sa.Engine
) -> None:
    record_events(app, tenant_a.id, 5)
    first = _trail(app, tenant_a)[-3].seq
    second = first + 1
    for sql, params in (
        ("UPDATE audit_events SET seq = -1 WHERE tenant_id = :t AND seq = :s", {"s": first}),
        ("UPDATE audit_events SET seq = :n WHERE tenant_id = :t AND seq = :s",
         {"n": first, "s": second}),
        ("UPDATE audit_events SET seq = :n WHERE tenant_id = :t AND seq = -1", {"n": second}),
    ):
        tamper(owner_engine, sql, t=tenant_a.id, **params)
    result = _verify(app, tenant_a)
    assert [(p.kind, p.seq, p.other) for p in result.problems] == [  # type: ignore[attr-defined]
        ("reordered", first, second), ("reordered", second, first)]


def test_swapped_contents_are_found(
    app: Flask, tenant_a: TenantFixture, owner_engine: sa.Engine
) -> None:
    record_events(app, tenant_a.id, 4)
    a, b = _trail(app, tenant_a)[-3:-1]
    for event, other in ((a, b), (b, a)):
        tamper(owner_engine, "UPDATE audit_events SET target_id = :x, detail = :d "
               "WHERE tenant_id = :t AND seq = :s",
               x=other.target_id, d=other.detail, t=tenant_a.id, s=event.seq)
    result = _verify(app, tenant_a)
    assert {p.seq for p in result.problems} == {a.seq, b.seq}  # type: ignore[attr-defined]


def test_an_event_inserted_outside_the_chain_is_found(
    app: Flask, tenant_a: TenantFixture, owner_engine: sa.Engine
) -> None:
    record_events(app, tenant_a.id, 2)
    tamper(owner_engine, "INSERT INTO audit_events (tenant_id, id, occurred_at, actor_kind, "
           "action, outcome, detail) VALUES (:t, :i, :w, 'system', 'test.forged', 'success', "
           ":d)", t=tenant_a.id, i=_uuid_text(owner_engine), w=_now_text(), d={})
    result = _verify(app, tenant_a)
    assert [(p.kind, p.other) for p in result.problems] == [("unchained", 1)]  # type: ignore[attr-defined]


def _uuid_text(engine: sa.Engine) -> str:
    value = uuid.uuid4()
    return str(value) if engine.dialect.name == "postgresql" else value.hex


def _now_text() -> str:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)).strftime("%Y-%m-%d %H:%M:%S.%f")


def test_verification_reads_in_batches(
    app: Flask, tenant_a: TenantFixture, owner_engine: sa.Engine,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("saas.audit.verify.BATCH", 3)
    record_events(app, tenant_a.id, 7)
    assert _verify(app, tenant_a).ok  # type: ignore[attr-defined]
    seq = _trail(app, tenant_a)[-4].seq
    tamper(owner_engine, "DELETE FROM audit_events WHERE tenant_id = :t AND seq = :s",
           t=tenant_a.id, s=seq)
    result = _verify(app, tenant_a)
    assert [(p.kind, p.seq) for p in result.problems] == [("removed", seq)]  # type: ignore[attr-defined]
    assert result.events == len(_trail(app, tenant_a))  # type: ignore[attr-defined]
