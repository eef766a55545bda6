"""``contact_permission``'s truth table and the reply keywords recogniser."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from flask import Flask

from saas.candidates.models import Candidate
from saas.extensions import db
from saas.privacy.consent import (
    ConsentInvalid,
    channel_statuses,
    contact_permission,
    record_consent,
    record_withdrawal,
)
from saas.privacy.unsubscribe import record_reply_withdrawal, withdrawal_in_reply
from saas.tenancy.context import tenant_context
from saas.timeutil import utcnow
from tests.factories import TenantFixture

NOW = utcnow()


def ago(days: float) -> dt.datetime:
    return NOW - dt.timedelta(days=days)


def grant(c: Candidate, channel: str = "email", basis: str = "consent", days: float = 10,
          expires_in: float | None = None) -> None:
    record_consent(c, channel=channel, basis=basis, source="test", given_at=ago(days),
                   expires_at=NOW + dt.timedelta(days=expires_in) if expires_in is not None
                   else None)


def withdraw(c: Candidate, channel: str = "email", days: float = 5) -> None:
    record_withdrawal(c, channel=channel, via="api", given_at=ago(days))


Setup = Callable[[Candidate], None]

CASES: list[tuple[str, Setup, str, bool, str, str | None]] = [
    ("nothing recorded", lambda c: None, "email", False, "no_consent", None),
    ("consent", lambda c: grant(c), "email", True, "allowed", "consent"),
    ("consent on another channel", lambda c: grant(c, "sms"), "email", False, "no_consent",
     None),
    ("consent for all channels", lambda c: grant(c, "all"), "wechat", True, "allowed",
     "consent"),
    ("legitimate interest", lambda c: grant(c, basis="legitimate_interest"), "email", True,
     "allowed", "legitimate_interest"),
    ("expired consent", lambda c: grant(c, days=400, expires_in=-30), "email", False, "expired",
     None),
    ("consent not yet expired", lambda c: grant(c, expires_in=30), "email", True, "allowed",
     "consent"),
    ("withdrawn on the channel", lambda c: (grant(c), withdraw(c)), "email", False,
     "withdrawn", None),
    ("withdrawn on another channel", lambda c: (grant(c), withdraw(c, "sms")), "email", True,
     "allowed", "consent"),
    ("withdrawn on all", lambda c: (grant(c), withdraw(c, "all")), "email", False, "withdrawn",
     None),
    ("new consent after the withdrawal", lambda c: (grant(c, days=10), withdraw(c, days=5),
                                                    grant(c, days=1)), "email", True, "allowed",
     "consent"),
    ("new consent after an all withdrawal, on its channel only",
     lambda c: (withdraw(c, "all", days=5), grant(c, days=1)), "sms", False, "withdrawn", None),
    ("legitimate interest after the withdrawal never overrides it",
     lambda c: (withdraw(c, days=5), grant(c, basis="legitimate_interest", days=1)), "email",
     False, "withdrawn", None),
    ("consent back-dated before the withdrawal does not override it",
     lambda c: (withdraw(c, days=5), grant(c, days=6)), "email", False, "withdrawn", None),
    ("withdrawal beats a later-recorded but earlier consent for all",
     lambda c: (withdraw(c, "email", days=3), grant(c, "all", days=4)), "email", False,
     "withdrawn", None),
]


@pytest.mark.parametrize("name,setup,channel,allowed,code,basis", CASES,
                         ids=[case[0] for case in CASES])
def test_contact_permission_truth_table(
    app: Flask, tenant_a: TenantFixture, name: str, setup: Setup, channel: str,
    allowed: bool, code: str, basis: str | None,
) -> None:
    with app.app_context(), tenant_context(tenant_a.id):
        person = Candidate(name="Lin Yue", status="nurturing")
        db.session.add(person)
        db.session.flush()
        setup(person)
        db.session.commit()
        permission = contact_permission(person, channel)
        assert (permission.allowed, permission.reason_code, permission.basis) == (
            allowed, code, basis), name
        assert permission.reason_text


@pytest.mark.parametrize("status,code", [("do_not_contact", "do_not_contact"),
                                         ("erased", "erased")])
def test_status_blocks_whatever_the_records_say(
    app: Flask, tenant_a: TenantFixture, status: str, code: str
) -> None:
    with app.app_context(), tenant_context(tenant_a.id):
        person = Candidate(name="Lin Yue", status="nurturing")
        db.session.add(person)
        db.session.flush()
        grant(person, "all")
        person.status = status
        db.session.commit()
        permission = contact_permission(person, "email")
        assert (permission.allowed, permission.reason_code) == (False, code)
        assert not any(s.permission.allowed for s in channel_statuses(person))
    assert contact_permission(None, "email").reason_code == "erased"
    with pytest.raises(ValueError):
        contact_permission(None, "fax")


def test_service_refuses_bad_values(app: Flask, tenant_a: TenantFixture) -> None:
    with app.app_context(), tenant_context(tenant_a.id):
        person = Candidate(name="Lin Yue")
        db.session.add(person)
        db.session.flush()
        with pytest.raises(ConsentInvalid) as caught:
            record_consent(person, channel="email", basis="consent", source="x",
                           given_at=ago(1), expires_at=ago(2))
        assert "expires_at" in caught.value.errors
        with pytest.raises(ConsentInvalid) as caught:
            record_consent(person, channel="pager", basis="vibes", source="x", given_at=ago(1))
        assert set(caught.value.errors) == {"basis"}
        with pytest.raises(ConsentInvalid) as caught:
            record_withdrawal(person, channel="pager", via="api")
        assert "channel" in caught.value.errors
        db.session.rollback()


def test_reply_withdrawal_is_recorded_once(app: Flask, tenant_a: TenantFixture) -> None:
    with app.app_context(), tenant_context(tenant_a.id):
        person = Candidate(name="Lin Yue")
        db.session.add(person)
        db.session.flush()
        grant(person, "sms")
        first, created = record_reply_withdrawal(person, "sms")
        again, created_again = record_reply_withdrawal(person, "sms")
        db.session.commit()
        assert created and not created_again and first.id == again.id
        assert first.withdrawn_via == "reply_keyword"
        assert contact_permission(person, "sms").reason_code == "withdrawn"


@pytest.mark.parametrize("text", [
    "退订", "退订。", "  退订  ", "好的，退订", "请帮我退订谢谢", "我不想再收到了，退订吧",
    "取消订阅", "退訂", "拒收", "不要再联系我了",
    "TD", "td", "T", "t", "ＴＤ", "回复TD", "TD退订", "好的TD",
    "STOP", "stop", "Stop.", "STOP!", "Please stop", "stop messaging me", "STOPALL",
    "unsubscribe", "Unsubscribe me please", "UNSUBSCRIBE", "please opt out", "opt-out",
    "END", "cancel", "Quit",
])
def test_reply_keywords_recognised(text: str) -> None:
    assert withdrawal_in_reply(text), text


@pytest.mark.parametrize("text", [
    "", "好的，下周聊", "谢谢，我考虑一下", "订阅了你们的公众号", "可以发邮件给我",
    "STOPPED", "stopped", "Unstoppable team!", "TDD is how we work", "I use tdd daily",
    "T-shirt size M", "Tt", "AT&T is my carrier? no", "the end of the month works",
    "cancel my Friday interview, move it to Monday", "I quit my job last month",
    "subscribe me to the newsletter", "outreach", "I'll be out of office",
])
def test_ordinary_replies_are_not_withdrawals(text: str) -> None:
    assert not withdrawal_in_reply(text), text
