"""The contact policy's truth table: each rule alone, and quiet hours across midnight."""

# The fixtures come from tests/outreach/outbox_support.py (imported below, used as arguments).
# ruff: noqa: F811

from __future__ import annotations

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

from saas.extensions import db
from saas.offers.models import Offer
from saas.outreach.models import OutboundMessage
from saas.outreach.policy import check_policy, parse_quiet_hours, quiet_until
from saas.privacy.consent import record_withdrawal
from tests.factories import TenantFixture
from tests.outreach.outbox_support import (  # noqa: F401 (fixtures)
    NOW,
    ctx,
    make_candidate,
    outreach_app,
    provider,
    set_policy,
)

UTC = dt.UTC


def _sent(candidate_id: uuid.UUID, *, content: str = "x", at: dt.datetime = NOW,
          campaign: bool = False, state: str = "sent") -> None:
    message = OutboundMessage(candidate_id=candidate_id, idempotency_key=uuid.uuid4().hex,
                              channel="phone", content_hash=content.ljust(64, "0"),
                              state=state, created_at=at, sent_at=at if state == "sent" else None,
                              campaign_id=uuid.uuid4() if campaign else None)
    message.body = "earlier"
    db.session.add(message)
    db.session.flush()


def _check(candidate: object, content: str = "new", now: dt.datetime = NOW,
           channel: str = "phone") -> tuple[bool, str | None, dt.datetime | None, str]:
    decision = check_policy(candidate, channel, content_hash=content.ljust(64, "0"),  # type: ignore[arg-type]
                            now=now)
    return decision.allowed, decision.code, decision.send_after, decision.explanation


def test_allowed_when_no_rule_applies(ctx: TenantFixture) -> None:
    allowed, code, after, text = _check(make_candidate())
    assert (allowed, code, after) == (True, None, None)
    assert text.startswith("Allowed")


def test_no_consent_and_opted_out(ctx: TenantFixture) -> None:
    candidate = make_candidate(consent=())
    assert _check(candidate)[:2] == (False, "no_consent")
    consenting = make_candidate()
    record_withdrawal(consenting, channel="phone", via="api")
    allowed, code, _after, text = _check(consenting)
    assert (allowed, code) == (False, "opted_out")
    assert "opted out" in text


def test_do_not_contact_and_erased(ctx: TenantFixture) -> None:
    candidate = make_candidate()
    candidate.status = "do_not_contact"
    db.session.flush()
    assert _check(candidate)[:2] == (False, "do_not_contact")
    candidate.status = "erased"
    assert _check(candidate)[:2] == (False, "erased")


def test_hiring_in_progress(ctx: TenantFixture) -> None:
    interviewing = make_candidate(status="interviewing")
    assert _check(interviewing)[:2] == (False, "hiring_in_progress")
    offered = make_candidate()
    db.session.add(Offer(candidate_id=offered.id, sent_at=NOW - dt.timedelta(days=2),
                         respond_by=NOW + dt.timedelta(days=5), status="pending"))
    db.session.flush()
    assert _check(offered)[:2] == (False, "hiring_in_progress")


def test_duplicate_content_within_30_days(ctx: TenantFixture) -> None:
    candidate = make_candidate()
    _sent(candidate.id, content="same", at=NOW - dt.timedelta(days=29))
    assert _check(candidate, content="same")[:2] == (False, "duplicate_content")
    assert _check(candidate, content="other")[0] is True
    old = make_candidate()
    _sent(old.id, content="same", at=NOW - dt.timedelta(days=31))
    assert _check(old, content="same")[0] is True


def test_frequency_cap_counts_campaign_and_manual_together(ctx: TenantFixture) -> None:
    candidate = make_candidate()
    _sent(candidate.id, content="a", campaign=True, at=NOW - dt.timedelta(days=3))
    assert _check(candidate)[0] is True
    _sent(candidate.id, content="b", state="queued", at=NOW - dt.timedelta(hours=1))
    allowed, code, _after, text = _check(candidate)
    assert (allowed, code) == (False, "frequency_cap")
    assert "2 messages in the last 30 days" in text
    # Blocked and failed messages spend nothing; older than 30 days neither.
    fresh = make_candidate()
    _sent(fresh.id, content="c", state="blocked")
    _sent(fresh.id, content="d", state="failed")
    _sent(fresh.id, content="e", at=NOW - dt.timedelta(days=40))
    assert _check(fresh)[0] is True


def test_quiet_hours_in_the_candidates_zone_cross_midnight(ctx: TenantFixture) -> None:
    set_policy(ctx, quiet_hours="21:00-09:00")
    new_york = make_candidate(timezone="America/New_York")
    evening = dt.datetime(2027, 1, 15, 3, 0, tzinfo=UTC)  # 22:00 in New York
    allowed, code, after, text = _check(new_york, now=evening)
    assert (allowed, code) == (True, "quiet_hours")
    assert after == dt.datetime(2027, 1, 15, 14, 0, tzinfo=UTC)  # 09:00 the next morning
    assert "09:00" in text and "America/New_York" in text
    early = dt.datetime(2027, 1, 15, 12, 0, tzinfo=UTC)  # 07:00 in New York
    assert _check(new_york, now=early)[2] == dt.datetime(2027, 1, 15, 14, 0, tzinfo=UTC)
    assert _check(new_york, now=dt.datetime(2027, 1, 15, 15, 0, tzinfo=UTC))[1] is None
    # No zone of their own: the tenant's (Asia/Shanghai); 21:30 there is quiet.
    local = make_candidate(timezone=None)
    night = dt.datetime(2027, 1, 15, 13, 30, tzinfo=UTC)
    assert _check(local, now=night)[2] == dt.datetime(2027, 1, 16, 1, 0, tzinfo=UTC)


def test_quiet_hours_parsing_and_a_daytime_window() -> None:
    assert parse_quiet_hours("") is None
    assert parse_quiet_hours("nonsense") is None
    window = parse_quiet_hours("13:00-14:00")
    zone = ZoneInfo("Europe/Berlin")
    inside = dt.datetime(2027, 6, 1, 11, 30, tzinfo=UTC)  # 13:30 in Berlin (CEST)
    assert quiet_until(inside, window, zone) == dt.datetime(2027, 6, 1, 12, 0, tzinfo=UTC)
    assert quiet_until(inside + dt.timedelta(hours=1), window, zone) is None


def test_the_first_blocking_rule_names_the_outcome(ctx: TenantFixture) -> None:
    candidate = make_candidate(consent=(), status="interviewing")
    assert _check(candidate)[1] == "no_consent"
