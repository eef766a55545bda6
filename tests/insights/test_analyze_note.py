"""Unit tests for saas.insights.analyze_note, one rule per test (see shared/TAXONOMY.md)."""

from __future__ import annotations

import dataclasses
import datetime

from saas.insights import NoteInsight, analyze_note
from saas.insights.follow_up import add_months, en_number, zh_number

D = datetime.date
TODAY = D(2026, 3, 10)


def follow(text: str, today: datetime.date = TODAY) -> datetime.date | None:
    return analyze_note(text, today=today).follow_up_on


# --- dataclass / edge cases -----------------------------------------------------------

def test_result_is_frozen_dataclass_with_defaults() -> None:
    result = analyze_note("", today=TODAY)
    assert result == NoteInsight(None, frozenset(), None, None, 0.0)
    assert dataclasses.is_dataclass(result)
    try:
        result.reason = "health"  # type: ignore[misc]
    except dataclasses.FrozenInstanceError:
        pass
    else:
        raise AssertionError("NoteInsight must be frozen")


def test_whitespace_and_emoji_only() -> None:
    assert analyze_note("   \n ", today=TODAY) == NoteInsight()
    assert analyze_note("😅👍🙏", today=TODAY) == NoteInsight()


def test_confidence_range() -> None:
    sure = analyze_note("老板加薪挽留,另外他还有别的offer。", today=TODAY)
    assert sure.reason == "counter_offer"
    assert 0.0 < sure.confidence <= 1.0
    assert analyze_note("电话一直没人接。", today=TODAY).confidence == 0.0


def test_mixed_scripts_and_emoji() -> None:
    result = analyze_note("手上项目下周上线🚀,prefers WeChat 😊", today=TODAY)
    assert result.reason == "project_wrapup"
    assert result.channel == "wechat"
    assert result.follow_up_on == D(2026, 3, 17)


def test_full_width_digits_and_punctuation() -> None:
    assert follow("需要3个月时间。") == D(2026, 6, 10)


def test_large_note_is_fast() -> None:
    chunk = "候选人说手上的项目还要两三周收尾,希望有弹性工作时间,习惯用微信。He weighs offers. "
    text = chunk * (100_000 // len(chunk) + 1)
    assert len(text) >= 100_000
    result = analyze_note(text, today=TODAY)
    assert result.reason == "project_wrapup"


# --- follow-up expressions (TAXONOMY table) -------------------------------------------

def test_days() -> None:
    assert follow("10天后再联系") == D(2026, 3, 20)
    assert follow("过五日再说") == D(2026, 3, 15)
    assert follow("try again in 10 days") == D(2026, 3, 20)


def test_weeks() -> None:
    assert follow("三周后可以聊") == D(2026, 3, 31)
    assert follow("两个星期后再联系") == D(2026, 3, 24)
    assert follow("needs about 3 weeks") == D(2026, 3, 31)


def test_months_and_years() -> None:
    assert follow("需要1个月时间") == D(2026, 4, 10)
    assert follow("两月后再说") == D(2026, 5, 10)
    assert follow("check back in six months") == D(2026, 9, 10)
    assert follow("一年后再看") == D(2027, 3, 10)
    assert follow("maybe in a year") == D(2027, 3, 10)


def test_half_month_and_half_year() -> None:
    assert follow("半个月后可以聊") == D(2026, 3, 25)
    assert follow("半年后再看") == D(2026, 9, 10)
    assert follow("in half a month") == D(2026, 3, 25)
    assert follow("ping again in half a year") == D(2026, 9, 10)


def test_ranges_take_upper_bound() -> None:
    expected = D(2026, 5, 10)
    for text in ("1-2个月", "1到2个月", "一两个月", "一到两个月", "1-2 months", "one or two months",
                 "one to two months", "a month or two"):
        assert follow(text) == expected, text
    assert follow("两三周") == D(2026, 3, 31)
    assert follow("2-3 weeks") == D(2026, 3, 31)


def test_few_and_couple() -> None:
    assert follow("几周后再联系") == D(2026, 3, 31)
    assert follow("几个月后") == D(2026, 6, 10)
    assert follow("in a few weeks") == D(2026, 3, 31)
    assert follow("a few months") == D(2026, 6, 10)
    assert follow("a couple of weeks") == D(2026, 3, 24)
    assert follow("a couple months") == D(2026, 5, 10)


def test_next_week_next_month() -> None:
    assert follow("下周再聊") == D(2026, 3, 17)
    assert follow("next week") == D(2026, 3, 17)
    assert follow("下个月再联系") == D(2026, 4, 10)
    assert follow("until next month") == D(2026, 4, 10)


def test_end_of_month_year_and_next_year() -> None:
    assert follow("月底上线") == D(2026, 3, 31)
    assert follow("by the end of the month") == D(2026, 3, 31)
    assert follow("年底再说") == D(2026, 12, 31)
    assert follow("年末发完奖金") == D(2026, 12, 31)
    assert follow("revisit at year-end") == D(2026, 12, 31)
    assert follow("end of the year") == D(2026, 12, 31)
    assert follow("明年再看") == D(2027, 1, 1)
    assert follow("next year") == D(2027, 1, 1)


def test_month_end_clamping() -> None:
    assert add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert add_months(D(2028, 1, 31), 1) == D(2028, 2, 29)
    assert add_months(D(2026, 11, 30), 3) == D(2027, 2, 28)
    assert follow("一个月后", D(2026, 1, 31)) == D(2026, 2, 28)
    assert follow("next month", D(2026, 3, 31)) == D(2026, 4, 30)
    assert follow("一年后", D(2028, 2, 29)) == D(2029, 2, 28)


def test_latest_date_wins() -> None:
    assert follow("下周出结果,三个月后再联系") == D(2026, 6, 10)
    assert follow("next week or by the end of the year") == D(2026, 12, 31)


def test_numerals() -> None:
    tokens = ("一", "两", "十", "十一", "十二", "二十", "几", "一两", "两三")
    assert [zh_number(t) for t in tokens] == [1, 2, 10, 11, 12, 20, 3, 2, 3]
    assert [en_number(t) for t in ("a", "an", "one", "seven", "twelve", "12")] == [
        1, 1, 1, 7, 12, 12]
    assert follow("十二天后") == D(2026, 3, 22)
    assert follow("in twelve days") == D(2026, 3, 22)
    assert follow("七周后") == D(2026, 4, 28)


def test_vague_words_are_not_dates() -> None:
    assert follow("过一阵子再说") is None
    assert follow("after a while") is None
    assert follow("以后再说吧") is None


# --- follow-up exclusions ------------------------------------------------------------

def test_career_goal_horizon_excluded() -> None:
    assert follow("她希望两年内晋升") is None
    assert follow("wants to lead a team within two years") is None
    assert follow("想在1-2年内晋升为经理") is None


def test_frequency_excluded() -> None:
    assert follow("每周两天远程") is None
    assert follow("一周两天在家办公") is None
    assert follow("remote two days a week") is None
    assert follow("every two weeks") is None


def test_past_duration_excluded() -> None:
    assert follow("流程拖了一个月") is None
    assert follow("the process took a month") is None
    assert follow("两周前聊过") is None
    assert follow("it dragged on for six weeks") is None
    assert follow("met three weeks ago") is None


def test_distance_and_travel_time_excluded() -> None:
    assert follow("通勤一个小时") is None
    assert follow("回老家坐火车要一天") is None
    assert follow("the commute is a day trip each way") is None


def test_dates_and_years_are_not_durations() -> None:
    assert follow("2026年入职,5月3日面试") is None


# --- reasons -------------------------------------------------------------------------

def reason(text: str) -> str | None:
    return analyze_note(text, today=TODAY).reason


def test_own_health_vs_family_member() -> None:
    assert reason("刚做完手术在家休养") == "health"
    assert reason("Recovering from surgery") == "health"
    assert reason("母亲住院了,他要照顾") == "family_matter"
    assert reason("Her father is in hospital") == "family_matter"
    assert reason("候选人自己生病住院了") == "health"


def test_each_reason_zh_and_en() -> None:
    cases = {
        "project_wrapup": ("手上的系统还没交接完", "finishing the release at her current job"),
        "counter_offer": ("公司挽留他", "got a counter offer"),
        "competing_offer": ("在和另一家公司谈", "weighing another offer"),
        "family_matter": ("孩子刚出生", "family emergency at home"),
        "compensation_question": ("对期权有疑问", "asked how the bonus is structured"),
        "career_path_question": ("不清楚晋升通道", "unclear growth path"),
        "culture_question": ("对加班文化有顾虑", "worried about the culture"),
        "benefits_question": ("问了公积金比例", "asked about parental leave"),
        "process_friction": ("流程太繁琐", "the process was too slow"),
        "felt_undervalued": ("收到模板邮件,不被重视", "got a template email"),
        "relocation": ("通勤太远", "relocating to another city"),
    }
    for code, texts in cases.items():
        for text in texts:
            assert reason(text) == code, (text, reason(text))


def test_no_cue_is_none() -> None:
    assert reason("没有说明原因,电话一直没人接。") is None
    assert reason("No reply after the offer.") is None


def test_negated_cues() -> None:
    assert reason("不是因为薪资,主要是通勤太远") == "relocation"
    assert reason("There is no counter offer; she is moving to Shenzhen.") == "relocation"
    assert reason("He doesn't have another offer; the release is next week.") == "project_wrapup"


def test_concern_about_topic_is_reason_not_value() -> None:
    result = analyze_note("对团队文化有顾虑", today=TODAY)
    assert result.reason == "culture_question"
    assert result.values == frozenset()
    result = analyze_note("Asked whether remote work is allowed.", today=TODAY)
    assert result.reason == "benefits_question"
    assert result.values == frozenset()


# --- values --------------------------------------------------------------------------

def values(text: str) -> frozenset[str]:
    return analyze_note(text, today=TODAY).values


def test_each_value_zh_and_en() -> None:
    cases = {
        "flexibility": ("想找弹性工作制的公司", "looking for a remote role"),
        "team_culture": ("看重团队氛围", "cares about the team culture"),
        "compensation": ("最看重薪资待遇", "pay matters most"),
        "training": ("希望有导师带教", "values mentorship"),
        "family": ("希望能多陪家人", "wants time with family"),
        "career_growth": ("想做管理", "wants to lead a team"),
        "stability": ("想找稳定的大平台", "looking for job security"),
    }
    for code, texts in cases.items():
        for text in texts:
            assert values(text) == frozenset({code}), (text, values(text))


def test_values_need_a_wanting_marker_and_respect_demotion() -> None:
    assert values("老板给他加薪挽留") == frozenset()
    assert values("重视团队氛围超过薪资") == frozenset({"team_culture"})
    assert values("Values mentorship above salary.") == frozenset({"training"})
    assert values("希望有导师带,对薪资要求不高") == frozenset({"training"})
    assert values("money isn't what matters to her") == frozenset()


# --- channels ------------------------------------------------------------------------

def channel(text: str) -> str | None:
    return analyze_note(text, today=TODAY).channel


def test_channel_preferences() -> None:
    assert channel("她习惯用微信") == "wechat"
    assert channel("短信联系即可") == "sms"
    assert channel("最好通过领英联系") == "linkedin"
    assert channel("喜欢发邮件沟通") == "email"
    assert channel("prefers email over calls") == "email"
    assert channel("text messages work best for her") == "sms"
    assert channel("reach her on LinkedIn") == "linkedin"
    assert channel("he'd rather we call him") == "phone"
    assert channel("Prefers WeChat to email.") == "wechat"


def test_channel_named_only_as_event_is_not_preference() -> None:
    assert channel("流程太繁琐,反复让他邮件确认材料") is None
    assert channel("nobody called her") is None
    assert channel("the offer email bounced") is None
    assert channel("电话一直没人接") is None
    assert channel("Doesn't want to be contacted by phone; email only please.") == "email"
