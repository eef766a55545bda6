"""The stalled-offer sweep: stalled never declined, one primary reason, idempotent, per tenant."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from flask import Flask

from saas.candidates.models import Candidate
from saas.extensions import db
from saas.jobs.queue import enqueue
from saas.jobs.schedules import SCHEDULES
from saas.offers.jobs import sweep_offers
from saas.offers.models import Offer
from saas.offers.sweep import sweep_stalled_offers
from saas.tenancy.context import tenant_context
from saas.timeutil import utcnow
from tests.factories import TenantFixture
from tests.queue import builders


def _offer_state(offer_id: uuid.UUID) -> tuple[str, str | None, str | None]:
    offer = db.session.scalars(sa.select(Offer).where(Offer.id == offer_id)).one()
    return offer.status, offer.reason, offer.reason_source


def _candidate_status(candidate_id: uuid.UUID) -> str:
    return db.session.scalars(
        sa.select(Candidate.status).where(Candidate.id == candidate_id)).one()


def test_overdue_offers_stall_with_one_primary_reason(app: Flask, tenant_a: TenantFixture) -> None:
    with app.app_context(), tenant_context(tenant_a.id):
        manual = builders.candidate("Manual", status="offered")
        builders.reason_tag(manual, "health", confidence=0.99)
        builders.reason_tag(manual, "counter_offer", source="manual")
        inferred = builders.candidate("Inferred", status="offered")
        builders.reason_tag(inferred, "relocation", confidence=0.6)
        builders.reason_tag(inferred, "project_wrapup", confidence=0.9)
        silent = builders.candidate("Silent", status="active")
        set_by_hand = builders.candidate("Set by hand", status="offered")
        builders.reason_tag(set_by_hand, "health", source="manual")
        offers = {
            "manual": builders.offer(manual),
            "inferred": builders.offer(inferred),
            "silent": builders.offer(silent),
            "hand": builders.offer(set_by_hand, reason="family_matter", reason_source="manual"),
            "not_due": builders.offer(silent, due_days_ago=-3),
        }
        db.session.commit()

        assert sweep_stalled_offers(utcnow()) == 4

        assert _offer_state(offers["manual"].id) == ("stalled", "counter_offer", "manual")
        assert _offer_state(offers["inferred"].id) == ("stalled", "project_wrapup", "inferred")
        assert _offer_state(offers["silent"].id) == ("stalled", "unknown", "unknown")
        assert _offer_state(offers["hand"].id) == ("stalled", "family_matter", "manual")
        assert _offer_state(offers["not_due"].id) == ("pending", None, None)
        stalled = db.session.scalars(sa.select(Offer).where(Offer.status == "stalled")).all()
        assert all(o.stalled_at is not None and o.responded_at is None for o in stalled)
        assert not db.session.scalars(sa.select(Offer).where(Offer.status == "declined")).all()
        for person in (manual, inferred, silent, set_by_hand):
            assert _candidate_status(person.id) == "stalled"


def test_candidates_further_along_keep_their_status(app: Flask, tenant_a: TenantFixture) -> None:
    kept = ("nurturing", "re_engaged", "interviewing", "hired", "declined", "do_not_contact",
            "erased")
    with app.app_context(), tenant_context(tenant_a.id):
        people = {status: builders.candidate(status=status) for status in kept}
        for person in people.values():
            builders.offer(person)
        db.session.commit()
        assert sweep_stalled_offers(utcnow()) == len(kept)
        for status, person in people.items():
            assert _candidate_status(person.id) == status


def test_sweep_is_idempotent_batched_and_per_tenant(
    app: Flask, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    with app.app_context():
        with tenant_context(tenant_a.id):
            for n in range(5):
                builders.offer(builders.candidate(f"A{n}", status="offered"))
            db.session.commit()
        with tenant_context(tenant_b.id):
            other = builders.offer(builders.candidate("B", status="offered"))
            db.session.commit()
        now = utcnow()
        with tenant_context(tenant_a.id):
            assert sweep_stalled_offers(now, batch_size=2) == 5
            assert sweep_stalled_offers(now, batch_size=2) == 0
            first = db.session.scalars(sa.select(Offer.stalled_at)).all()
            assert sweep_stalled_offers(utcnow()) == 0
            assert db.session.scalars(sa.select(Offer.stalled_at)).all() == first
        with tenant_context(tenant_b.id):
            assert _offer_state(other.id) == ("pending", None, None)


def test_the_hourly_job_and_the_command(
    app: Flask, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    assert SCHEDULES["offer-sweep"].func is sweep_offers
    with app.app_context():
        with tenant_context(tenant_a.id):
            job_offer = builders.offer(builders.candidate(status="offered")).id
            db.session.commit()
        enqueue(sweep_offers, tenant_a.id, 1)
        with tenant_context(tenant_a.id):
            assert _offer_state(job_offer)[0] == "stalled"
        with tenant_context(tenant_b.id):
            cli_offer = builders.offer(builders.candidate(status="offered")).id
            db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["offers", "sweep", "--tenant", tenant_b.slug])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"{tenant_b.slug}: 1 offer(s) stalled"
    again = runner.invoke(args=["offers", "sweep", "--tenant", tenant_b.slug])
    assert again.output.strip() == f"{tenant_b.slug}: 0 offer(s) stalled"
    with app.app_context(), tenant_context(tenant_b.id):
        assert _offer_state(cli_offer)[0] == "stalled"
    unknown = runner.invoke(args=["offers", "sweep", "--tenant", "no-such-tenant"])
    assert unknown.exit_code != 0 and "no-such-tenant" in unknown.output
