"""Phrasing families found by the third blind set, each checked on wordings it never held.

Every test names a family (a priority rule, a synonym set, an exclusion) and asserts it on
our own paraphrases in both languages, so a fix that only matched one note would fail here.
"""

from __future__ import annotations

import datetime

import pytest

from saas.insights import analyze_note

D = datetime.date
TODAY = D(2026, 5, 18)


def read(text: str) -> tuple[str | None, frozenset[str], str | None, datetime.date | None]:
    got = analyze_note(text, today=TODAY)
    return got.reason, got.values, got.channel, got.follow_up_on


# --- reason priority: each reason's strongest clause decides ----------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("项目要上线,发版、验收、交付都压在一起,不过她因为孩子刚出生没空看机会", "family_matter"),
    ("He mentioned the release, the launch and the sprint, but the real reason is he got "
     "another offer.", "competing_offer"),
    ("Commute is long and the office is far away, but he is staying because his boss "
     "countered.", "counter_offer"),
    ("手上项目在收尾,另外老板也提了加薪,但主要是因为另一家给了offer", "competing_offer"),
    # two clauses that say the same reason still beat one clause of another
    ("项目下周上线,交接也还没做完,另外听说有猎头在联系他", "project_wrapup"),
])
def test_strongest_cue_decides_and_causal_markers_break_ties(text: str, expected: str) -> None:
    assert read(text)[0] == expected


def test_coldness_among_the_team_is_culture_not_how_she_was_treated() -> None:
    assert read("面试时感觉团队成员彼此很冷漠,她担心氛围")[0] == "culture_question"
    assert read("Interviewers seemed cold with each other; she worries about the culture.")[0] \
        == "culture_question"
    assert read("HR的回复很冷淡,她觉得我们不重视她")[0] == "felt_undervalued"


@pytest.mark.parametrize("text", [
    "流程拖了一个多月，材料补了三次，背调也反复确认，结果她已经签了别家",
    "面试走了六轮、审批太慢，HR来回确认好几次，最后他接了另一家的offer",
    "Five rounds, forms to fill again and again, a slow approval: by then he had already "
    "signed with a rival... well, he accepted another offer last Friday.",
    "The process dragged on for weeks and the paperwork was endless; she took the other "
    "offer in the end.",
])
def test_an_offer_already_taken_outweighs_how_we_got_there(text: str) -> None:
    assert read(text)[0] == "competing_offer"


@pytest.mark.parametrize(("text", "expected"), [
    ("他每周都回老家陪孩子，周一才回上海", None),
    ("她经常回老家看外婆，这周不方便面试", None),
    ("他准备回老家发展，不想在北京待了", "relocation"),
    ("她说父母年纪大了，可能要回老家了", "relocation"),
])
def test_a_trip_home_is_not_a_move(text: str, expected: str | None) -> None:
    assert read(text)[0] == expected


# --- reason synonyms ---------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("竞对也给了offer,他两家在对比", "competing_offer"),
    ("She is comparing offers from us and a bank.", "competing_offer"),
    ("He's weighing our offer against one from a startup.", "competing_offer"),
    ("她身体最近出了些状况,在家休息", "health"),
    ("Way too many steps: assessment, three panels, then a reference check.", "process_friction"),
    ("Lots of back and forth about the contract; he had to reconfirm his start date twice.",
     "process_friction"),
    ("The sign-off on our side took three weeks and he went quiet.", "process_friction"),
    ("不清楚这个岗位的晋升路线,想再了解一下", "career_path_question"),
    ("Still waiting for details on the dental plan and parental leave.", "benefits_question"),
    ("她问育儿假能休多久", "benefits_question"),
    ("He asked how many weeks of paternity leave we give.", "benefits_question"),
    ("问了公积金和餐补交通补贴的标准", "benefits_question"),
    ("He's in late-stage talks with a bank.", "competing_offer"),
    ("She has an offer in hand from a competitor.", "competing_offer"),
    ("He wants a late-stage startup.", None),
    ("He's been unwell lately.", "health"),
    ("She is not well paid at her current job.", None),
    ("孩子马上要出生了", "family_matter"),
])
def test_reason_families(text: str, expected: str | None) -> None:
    assert read(text)[0] == expected


def test_a_relatives_birth_is_still_a_family_matter() -> None:
    assert read("老婆下个月生,他要休陪产假")[0] == "family_matter"


# --- values --------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("他的目标是三年内当上研发总监", {"career_growth"}),
    ("She'd love to be leading teams eventually.", {"career_growth"}),
    ("对他来说收入很重要", {"compensation"}),
    ("Key for him: flexible hours and a good salary.", {"flexibility", "compensation"}),
    ("希望离家近一点,方便接送孩子", {"family"}),
    ("He values mentoring and a friendly team.", {"training", "team_culture"}),
    ("Loves mentoring juniors and wants to become a tech lead.", {"career_growth"}),
    ("对方可以全远程。这一点对他最重要。", {"flexibility"}),
    ("The other company offers a four-day week. That's what matters most to her.",
     {"flexibility"}),
])
def test_value_families(text: str, expected: set[str]) -> None:
    assert read(text)[1] == expected


# --- channels -----------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("有事微信再联系", "wechat"),
    ("打电话找他最方便", "phone"),
    ("邮件沟通更快", "email"),
    ("别打电话,发微信", "wechat"),
    ("有进展发邮件给他", "email"),
    ("以后都发短信吧", "sms"),
    ("短信留言他会回", "sms"),
    ("发了邀请邮件,没有回复", None),  # an invitation email sent: how it happened
    ("他发短信说在忙", None),
    ("邮件他一般都会回", "email"),
    ("她每天都看邮箱", "email"),
    ("他不会看邮件", None),
    ("打电话他不接 说会回电", None),
    ("请他发邮件确认一下材料", None),  # our request to him, not how he likes to be reached
    ("Shoot her an email when the budget is approved.", "email"),
    ("Drop him a text if anything changes.", "sms"),
])
def test_channel_families(text: str, expected: str | None) -> None:
    assert read(text)[2] == expected


# --- follow-up dates -----------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("老板答应明年给他升职", None),
    ("Her manager promised a promotion next year.", None),
    ("他想做到经理,两年内", None),
    ("三年左右,想当上架构师", None),
    ("He wants to become a director, within five years.", None),
    ("等年底晋升结果出来再说", D(2026, 12, 31)),
    ("再过三周再联系", D(2026, 6, 8)),
    ("问了年假有几天,说过一周再聊", D(2026, 5, 25)),
    ("这两天考虑清楚就回复", D(2026, 5, 20)),
    ("这两个月一直在面试", None),
    ("一个月都没有消息,后来才收到邮件", None),
    ("Two weeks with no reply, then a form letter.", None),
    ("Wants to work from home a couple of days a week.", None),
    ("Three reorgs in two years made him wary.", None),
    ("老板答应明年给他加薪", None),
    ("领导给加薪 说下周再回复我", D(2026, 5, 25)),
    ("经过两周考虑,他决定先留下", None),
    ("三年换了两家公司,想稳定下来", None),
])
def test_follow_up_families(text: str, expected: datetime.date | None) -> None:
    assert read(text)[3] == expected
