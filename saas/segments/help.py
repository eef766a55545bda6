"""What the query bar page explains: fields, examples, error headings (localized)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from saas.segments.query_ast import ErrorCode


@dataclass(frozen=True)
class FieldHelp:
    field: str
    meaning: LazyString
    examples: tuple[str, ...]


FIELD_HELP: tuple[FieldHelp, ...] = (
    FieldHelp("reason", _l("Has that no-response reason (set by hand or read from notes)."),
              ("reason:project_wrapup", "reason:counter_offer")),
    FieldHelp("value", _l("Says this matters to them."), ("value:flexibility",)),
    FieldHelp("match", _l("Best match against open openings: high (80+), medium (60–79), "
                          "low (under 60), or a score."), ("match:high", "match:>=70")),
    FieldHelp("tag", _l("Any tag by its label in either language, or a custom tag."),
              ('tag:"未响应-项目收尾"', "tag:vip")),
    FieldHelp("status", _l("Candidate status."), ("status:stalled", "-status:do_not_contact")),
    FieldHelp("channel", _l("Preferred channel."), ("channel:wechat",)),
    FieldHelp("skill", _l("Has the skill (exact, any case)."), ("skill:python",)),
    FieldHelp("signal", _l("A profile-feed signal in the last 180 days; matches no one until "
                           "a profile feed is connected."), ("signal:open_to_work",)),
    FieldHelp("city", _l("City (exact, any case)."), ("city:上海",)),
    FieldHelp("last_contact", _l("Days since the last conversation (d, w, m = 30 days); never "
                                 "contacted counts as long ago."),
              ("last_contact:>180d", "last_contact:<2w")),
    FieldHelp("contract_end", _l("Current contract ends within that many days from today."),
              ("contract_end:<90d",)),
    FieldHelp("follow_up", _l("The follow-up date is today or earlier."), ("follow_up:due",)),
    FieldHelp("owner", _l("Owning recruiter: you, or a teammate by e-mail."),
              ("owner:me",)),
)


@dataclass(frozen=True)
class Example:
    query: str
    description: LazyString


EXAMPLES: tuple[Example, ...] = (
    Example("reason:project_wrapup match:high value:flexibility last_contact:>180d "
            "-status:do_not_contact",
            _l("Wrapped up a project, strong match, wants flexibility, quiet for six months")),
    Example("follow_up:due owner:me", _l("My follow-ups that are due")),
    Example("status:stalled (reason:compensation_question OR reason:counter_offer)",
            _l("Stalled over pay or a counter-offer")),
    Example("contract_end:<90d -status:do_not_contact",
            _l("Contracts ending in the next 90 days")),
    Example("python city:上海", _l("Python people in Shanghai")),
)

STATUS_LABELS: dict[str, LazyString] = {
    "active": _l("Active"),
    "offered": _l("Offered"),
    "stalled": _l("Stalled"),
    "nurturing": _l("Nurturing"),
    "re_engaged": _l("Re-engaged"),
    "interviewing": _l("Interviewing"),
    "hired": _l("Hired"),
    "declined": _l("Declined"),
    "do_not_contact": _l("Do not contact"),
    "erased": _l("Erased"),
}

ERROR_TITLES: dict[str, LazyString] = {
    ErrorCode.QUERY_TOO_LONG: _l("The query is too long"),
    ErrorCode.NESTING_TOO_DEEP: _l("The query is nested too deeply"),
    ErrorCode.TOO_MANY_TERMS: _l("The query has too many terms"),
    ErrorCode.UNTERMINATED_QUOTE: _l("A quote is not closed"),
    ErrorCode.UNBALANCED_PAREN: _l("Parentheses do not match"),
    ErrorCode.UNEXPECTED_TOKEN: _l("Something is out of place"),
    ErrorCode.UNEXPECTED_END: _l("The query ends too early"),
    ErrorCode.MISSING_VALUE: _l("A field has no value"),
    ErrorCode.UNKNOWN_FIELD: _l("Unknown field"),
    ErrorCode.INVALID_VALUE: _l("A value is not valid here"),
    ErrorCode.UNKNOWN_TAG: _l("No such tag"),
    ErrorCode.UNKNOWN_OWNER: _l("No such teammate"),
}
