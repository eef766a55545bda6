"""Taxonomy codes that segment queries accept (see shared TAXONOMY.md).

Kept here only until a shared ``saas/taxonomy.py`` exists; the coordinator may move
them there and re-export them from this module.
"""

from __future__ import annotations

REASON_CODES: frozenset[str] = frozenset(
    {
        "project_wrapup",
        "counter_offer",
        "competing_offer",
        "family_matter",
        "health",
        "compensation_question",
        "career_path_question",
        "culture_question",
        "benefits_question",
        "process_friction",
        "felt_undervalued",
        "relocation",
        "unknown",
    }
)

VALUE_CODES: frozenset[str] = frozenset(
    {
        "flexibility",
        "team_culture",
        "compensation",
        "training",
        "family",
        "career_growth",
        "stability",
    }
)

CHANNEL_CODES: frozenset[str] = frozenset({"email", "sms", "wechat", "linkedin", "phone"})

STATUS_CODES: frozenset[str] = frozenset(
    {
        "active",
        "offered",
        "stalled",
        "nurturing",
        "re_engaged",
        "interviewing",
        "hired",
        "declined",
        "do_not_contact",
        "erased",
    }
)

SIGNAL_CODES: frozenset[str] = frozenset(
    {
        "certification_added",
        "open_to_work",
        "job_changed",
        "title_changed",
        "skill_added",
        "contract_ending",
        "profile_updated",
    }
)

MATCH_LEVEL_CODES: frozenset[str] = frozenset({"high", "medium", "low"})
