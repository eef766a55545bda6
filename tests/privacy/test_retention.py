"""The retention pass: warn 30 days ahead, then erase through the erasure service.

Legal hold suspends it, a new contact clears the notice, a second run changes
nothing, and with the policy off nothing happens at all.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
import sqlalchemy as sa
from flask import Flask

from saas.audit.models import AuditEvent
from saas.candidates.interactions import add_interaction
from saas.candidates.models import Candidate
from saas.extensions import db
from saas.jobs.queue import enqueue
from saas.jobs.schedules import SCHEDULES
from saas.privacy.jobs import apply_retention
from saas.privacy.models import ErasureTally, RetentionNotice
from saas.privacy.retention import (
    RetentionRun,
    cutoff_for,
    run_retention,
    set_legal_hold,
    set_retention_months,
    warn_due,
)
from saas.tenancy.context import tenant_context
from saas.tenancy.models import Tenant
from saas.timeutil import utcnow
from tests.factories import TenantFixture

TODAY = utcnow().date()


def _tenant(tenant: TenantFixture) -> Tenant:
    row = db.session.get(Tenant, tenant.id)
    assert row is not None
    return row


def _set_policy(tenant: TenantFixture, months: int | None) -> None:
    set_retention_months(_tenant(tenant), months, actor_kind="system", actor_id=None)
    db.session.commit()


def _person(name: str, *, months_quiet: int | None = None, created_months_ago: int = 40,
            owner_id: uuid.UUID | None = None) -> uuid.UUID:
    created = utcnow() - dt.timedelta(days=30 * created_months_ago)
    last = utcnow() - dt.timedelta(days=30 * months_quiet) if months_quiet is not None else None
    row = Candidate(name=name, created_at=created, last_contact_at=last, owner_id=owner_id)
    db.session.add(row)
    db.session.flush()
    return row.id


def _notice(candidate_id: uuid.UUID) -> RetentionNotice | None:
    return db.session.scalars(sa.select(RetentionNotice).where(
        RetentionNotice.candidate_id == candidate_id)).first()


def _exists(candidate_id: uuid.UUID) -> bool:
    return db.session.scalars(sa.select(Candidate.id).where(
        Candidate.id == candidate_id)).first() is not None


def test_warn_then_erase_after_30_days(app: Flask, tenant_a: TenantFixture) -> None:
    with app.app_context(), tenant_context(tenant_a.id):
        recruiter = tenant_a.users["recruiter"]
        quiet = _person("Quiet", months_quiet=30, owner_id=recruiter)
        never = _person("Never talked", created_months_ago=26)
        recent = _person("Recent", months_quiet=3)
        new = _person("New", created_months_ago=2)
        _set_policy(tenant_a, 24)

        first = run_retention(_tenant(tenant_a), TODAY)
        assert first == RetentionRun(warned=2, erased=0, dropped=0)
        notice = _notice(quiet)
        assert notice is not None and notice.erase_on == TODAY + dt.timedelta(days=30)
        assert notice.owner_id == recruiter
        assert _notice(never) is not None
        assert _notice(recent) is None and _notice(new) is None
        warned = db.session.scalars(sa.select(AuditEvent).where(
            AuditEvent.action == "retention.warned", AuditEvent.target_id == str(quiet))).one()
        assert warned.detail["owner_id"] == str(recruiter)
        assert "Quiet" not in str(warned.detail)

        # The same day again, and the days before erase_on: nothing changes.
        assert run_retention(_tenant(tenant_a), TODAY) == RetentionRun()
        assert run_retention(_tenant(tenant_a), TODAY + dt.timedelta(days=29)) == RetentionRun()
        assert _exists(quiet)

        done = run_retention(_tenant(tenant_a), TODAY + dt.timedelta(days=30))
        assert done.erased == 2
        assert not _exists(quiet) and not _exists(never)
        assert _exists(recent) and _exists(new)
        assert _notice(quiet) is None
        tally = db.session.scalars(sa.select(ErasureTally).where(
            ErasureTally.cause == "retention")).all()
        assert sum(t.count for t in tally) == 2
        erased = db.session.scalars(sa.select(AuditEvent).where(
            AuditEvent.action == "candidate.erased", AuditEvent.target_id == str(quiet))).one()
        assert erased.detail["cause"] == "retention" and erased.actor_kind == "system"
        assert run_retention(_tenant(tenant_a), TODAY + dt.timedelta(days=30)) == RetentionRun()


def test_legal_hold_suspends_retention(app: Flask, tenant_a: TenantFixture) -> None:
    with app.app_context(), tenant_context(tenant_a.id):
        held = _person("Held", months_quiet=30)
        later = _person("Held later", months_quiet=30)
        candidate = db.session.scalars(sa.select(Candidate).where(Candidate.id == held)).one()
        set_legal_hold(candidate, "dispute", actor_kind="system", actor_id=None)
        _set_policy(tenant_a, 24)

        assert run_retention(_tenant(tenant_a), TODAY).warned == 1
        assert _notice(held) is None and _notice(later) is not None
        other = db.session.scalars(sa.select(Candidate).where(Candidate.id == later)).one()
        set_legal_hold(other, "subpoena", actor_kind="system", actor_id=None)
        db.session.commit()
        assert _notice(later) is None

        run_retention(_tenant(tenant_a), TODAY + dt.timedelta(days=60))
        assert _exists(held) and _exists(later)


def test_a_hold_set_after_the_notice_day_still_saves_them(
    app: Flask, tenant_a: TenantFixture
) -> None:
    with app.app_context(), tenant_context(tenant_a.id):
        quiet = _person("Quiet", months_quiet=30)
        _set_policy(tenant_a, 24)
        run_retention(_tenant(tenant_a), TODAY)
        # A hold written straight to the row (no service): the erase step re-checks.
        db.session.execute(sa.update(Candidate).where(Candidate.id == quiet).values(
            legal_hold_at=utcnow(), legal_hold_reason="case"))
        db.session.commit()
        run_retention(_tenant(tenant_a), TODAY + dt.timedelta(days=31))
        assert _exists(quiet) and _notice(quiet) is None


def test_a_new_contact_clears_the_notice(app: Flask, tenant_a: TenantFixture) -> None:
    with app.app_context(), tenant_context(tenant_a.id):
        quiet = _person("Quiet", months_quiet=30)
        _set_policy(tenant_a, 24)
        run_retention(_tenant(tenant_a), TODAY)
        assert _notice(quiet) is not None
        candidate = db.session.scalars(sa.select(Candidate).where(Candidate.id == quiet)).one()
        add_interaction(candidate, {"direction": "inbound", "channel": "wechat",
                                    "summary": "Back in touch", "occurred_at": utcnow()})
        db.session.commit()
        assert _notice(quiet) is None
        run_retention(_tenant(tenant_a), TODAY + dt.timedelta(days=31))
        assert _exists(quiet)


def test_policy_off_does_nothing_and_drops_notices(app: Flask, tenant_a: TenantFixture) -> None:
    with app.app_context(), tenant_context(tenant_a.id):
        quiet = _person("Quiet", months_quiet=100)
        _set_policy(tenant_a, None)
        assert run_retention(_tenant(tenant_a), TODAY) == RetentionRun()
        assert _notice(quiet) is None
        _set_policy(tenant_a, 24)
        run_retention(_tenant(tenant_a), TODAY)
        _set_policy(tenant_a, None)
        assert run_retention(_tenant(tenant_a), TODAY + dt.timedelta(days=40)).dropped == 1
        assert _exists(quiet) and _notice(quiet) is None


def test_the_daily_job_is_registered_and_scoped_to_its_tenant(
    app: Flask, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    assert SCHEDULES["retention"].every == dt.timedelta(days=1)
    assert SCHEDULES["retention"].func is apply_retention
    with app.app_context():
        with tenant_context(tenant_a.id):
            a_quiet = _person("A quiet", months_quiet=30)
            _set_policy(tenant_a, 12)
        with tenant_context(tenant_b.id):
            b_quiet = _person("B quiet", months_quiet=30)
            db.session.commit()
        enqueue(apply_retention, tenant_a.id, 1)
        enqueue(apply_retention, tenant_b.id, 1)
        with tenant_context(tenant_a.id):
            assert _notice(a_quiet) is not None
        with tenant_context(tenant_b.id):
            assert _notice(b_quiet) is None  # tenant B has no policy


@pytest.mark.parametrize("months", [0, 241, -1])
def test_policy_range_is_enforced(app: Flask, tenant_a: TenantFixture, months: int) -> None:
    with app.app_context(), tenant_context(tenant_a.id), pytest.raises(ValueError):
        set_retention_months(_tenant(tenant_a), months, actor_kind="system", actor_id=None)


def test_cutoff_counts_calendar_months() -> None:
    assert cutoff_for(dt.date(2026, 3, 31), 1) == dt.datetime(2026, 2, 28, tzinfo=dt.UTC)
    assert cutoff_for(dt.date(2026, 7, 1), 24) == dt.datetime(2024, 7, 1, tzinfo=dt.UTC)


def test_batches_cover_every_candidate(app: Flask, tenant_a: TenantFixture) -> None:
    with app.app_context(), tenant_context(tenant_a.id):
        ids = [_person(f"P{i}", months_quiet=30) for i in range(7)]
        db.session.commit()
        assert warn_due(TODAY, cutoff_for(TODAY, 24), batch_size=3) == 7
        assert all(_notice(i) is not None for i in ids)
        assert warn_due(TODAY, cutoff_for(TODAY, 24), batch_size=3) == 0
