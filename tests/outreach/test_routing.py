"""Channel routing: preferred channel, the tenant's order, a requested channel."""

# The fixtures come from tests/outreach/outbox_support.py (imported below, used as arguments).
# ruff: noqa: F811

from __future__ import annotations

import pytest

from saas.extensions import db
from saas.outreach.routing import choose_channel, explain
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


def test_preferred_channel_with_consent_and_plugin_wins(ctx: TenantFixture) -> None:
    candidate = make_candidate(preferred_channel="phone")
    decision = choose_channel(candidate, now=NOW)
    assert (decision.channel, decision.rule) == ("phone", "preferred")
    assert "agreed on 2025-10-12" in decision.explanation
    assert decision.record["consented_on"] == "2025-10-12"


def test_falls_back_to_channel_order_and_says_why(ctx: TenantFixture) -> None:
    # Prefers WeChat, but agreed only to phone; WeChat comes first in the order.
    candidate = make_candidate(preferred_channel="wechat", wechat_id="zw_1990")
    decision = choose_channel(candidate, now=NOW)
    assert (decision.channel, decision.rule) == ("phone", "channel_order")
    assert decision.explanation.endswith("next in your channel order")
    assert "no consent for WeChat" in decision.explanation
    assert explain(decision.record) == decision.explanation


def test_channel_without_plugin_or_address_is_skipped(ctx: TenantFixture) -> None:
    candidate = make_candidate(consent=("phone", "wechat", "linkedin"))
    # wechat: consent but no WeChat id and no enabled plugin; linkedin: not enabled.
    decision = choose_channel(candidate, now=NOW)
    assert decision.channel == "phone"
    whys = {s["channel"]: s["why"] for s in decision.record["skipped"]}
    assert whys["wechat"] in ("not_enabled", "no_address")
    candidate.phones = []
    db.session.flush()
    nothing = choose_channel(candidate, now=NOW)
    assert nothing.channel is None and nothing.rule == "none"
    assert "No channel can reach this candidate" in nothing.explanation


def test_opted_out_preferred_channel_is_not_used(ctx: TenantFixture) -> None:
    candidate = make_candidate(preferred_channel="phone", consent=("phone", "email"))
    record_withdrawal(candidate, channel="phone", via="api")
    set_policy(ctx, channel_order=["phone", "email"])
    decision = choose_channel(candidate, now=NOW)
    assert decision.channel != "phone"
    assert {"channel": "phone", "why": "opted_out"} in decision.record["skipped"]


def test_requested_channel_used_only_when_usable(ctx: TenantFixture) -> None:
    candidate = make_candidate()
    assert choose_channel(candidate, requested="phone", now=NOW).rule == "requested"
    refused = choose_channel(candidate, requested="sms", now=NOW)
    assert refused.channel is None
    assert "cannot be used" in refused.explanation
    with pytest.raises(ValueError):
        choose_channel(candidate, requested="pigeon", now=NOW)


def test_template_versions_limit_the_choice(ctx: TenantFixture) -> None:
    candidate = make_candidate(preferred_channel="phone", consent=("phone", "email"))
    set_policy(ctx, channel_order=["phone", "email"])
    decision = choose_channel(candidate, available={"email"}, now=NOW)
    assert {"channel": "phone", "why": "no_template"} in decision.record["skipped"]
