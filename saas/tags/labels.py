"""Localized labels of the taxonomy's system tags (see shared TAXONOMY.md).

A system tag is ``dimension:code``. Its label joins the dimension label and the
code label the way recruiters write them: ``未响应-项目收尾`` in zh-CN and
``No response – project wrap-up`` in English. The code sets themselves live in
:mod:`saas.segments.codes` (one source of truth); this module only names them.
Custom tags (dimension ``custom``) carry their own label.
"""

from __future__ import annotations

from collections.abc import Mapping

import sqlalchemy as sa

from saas.extensions import db
from saas.segments.codes import CHANNEL_CODES, MATCH_LEVEL_CODES, REASON_CODES, VALUE_CODES
from saas.tags.models import Tag

ZH = "zh-CN"
EN = "en"

# The dimensions a person can tag by hand or the extractor can infer, in display order.
SYSTEM_DIMENSIONS: tuple[str, ...] = ("reason", "value", "channel", "match")

DIMENSION_CODES: Mapping[str, frozenset[str]] = {
    "reason": REASON_CODES,
    "value": VALUE_CODES,
    "channel": CHANNEL_CODES,
    "match": MATCH_LEVEL_CODES,
}

DIMENSION_LABELS: Mapping[str, Mapping[str, str]] = {
    "reason": {ZH: "未响应", EN: "No response"},
    "value": {ZH: "偏好", EN: "Prefers"},
    "channel": {ZH: "渠道", EN: "Channel"},
    "match": {ZH: "匹配度", EN: "Match"},
}

# code -> (zh label, en label); insertion order is TAXONOMY's order, used for display.
CODE_LABELS: Mapping[str, Mapping[str, tuple[str, str]]] = {
    "reason": {
        "project_wrapup": ("项目收尾", "project wrap-up"),
        "counter_offer": ("老东家挽留", "counter-offer"),
        "competing_offer": ("其他机会", "competing offer"),
        "family_matter": ("家庭原因", "family matter"),
        "health": ("个人健康", "health"),
        "compensation_question": ("薪资疑问", "compensation question"),
        "career_path_question": ("发展疑问", "career-path question"),
        "culture_question": ("文化疑问", "culture question"),
        "benefits_question": ("福利疑问", "benefits question"),
        "process_friction": ("流程繁琐", "process friction"),
        "felt_undervalued": ("沟通生硬", "felt undervalued"),
        "relocation": ("地点通勤", "location or commute"),
        "unknown": ("原因不明", "unknown"),
    },
    "value": {
        "flexibility": ("弹性工作", "flexible work"),
        "team_culture": ("团队氛围", "team culture"),
        "compensation": ("薪资待遇", "compensation"),
        "training": ("培训成长", "training"),
        "family": ("家庭友好", "family-friendly"),
        "career_growth": ("晋升发展", "career growth"),
        "stability": ("稳定平台", "stability"),
    },
    "channel": {
        "email": ("邮件", "email"),
        "sms": ("短信", "SMS"),
        "wechat": ("微信", "WeChat"),
        "linkedin": ("领英", "LinkedIn"),
        "phone": ("电话", "phone"),
    },
    "match": {
        "high": ("高", "high"),
        "medium": ("中", "medium"),
        "low": ("低", "low"),
    },
}


def _locale(locale: str | None) -> str:
    if locale is None:
        from saas.web.i18n import current_locale_tag

        locale = current_locale_tag()
    return ZH if locale.lower().startswith("zh") else EN


def is_system_code(dimension: str, code: str) -> bool:
    return code in DIMENSION_CODES.get(dimension, frozenset())


def codes_of(dimension: str) -> tuple[str, ...]:
    """A system dimension's codes in TAXONOMY order (empty for an unknown dimension)."""
    return tuple(CODE_LABELS.get(dimension, {}))


def dimension_label(dimension: str, locale: str | None = None) -> str:
    labels = DIMENSION_LABELS.get(dimension)
    return labels[_locale(locale)] if labels else dimension


def code_label(dimension: str, code: str, locale: str | None = None) -> str:
    """The code's own label (``项目收尾``); the code itself when it is not a system code."""
    pair = CODE_LABELS.get(dimension, {}).get(code)
    if pair is None:
        return code
    return pair[0] if _locale(locale) == ZH else pair[1]


def tag_label(
    dimension: str,
    code: str,
    locale: str | None = None,
    custom_labels: Mapping[str, str] | None = None,
) -> str:
    """``未响应-项目收尾`` (zh-CN) or ``No response – project wrap-up`` (en).

    ``locale`` defaults to the request's locale. A custom tag is shown by its own
    label, looked up in ``custom_labels`` (code → label) or the tenant's tags.
    """
    if dimension not in CODE_LABELS:
        if custom_labels is not None:
            return custom_labels.get(code, code)
        label = db.session.scalar(sa.select(Tag.label).where(Tag.code == code))
        return label or code
    lang = _locale(locale)
    joiner = "-" if lang == ZH else " – "
    return f"{dimension_label(dimension, lang)}{joiner}{code_label(dimension, code, lang)}"


def find_by_label(label: str) -> tuple[str, str] | None:
    """The system ``(dimension, code)`` whose label in any locale is ``label``.

    Accepts the full label (``未响应-项目收尾``, ``No response – project wrap-up``,
    also with a plain hyphen) or a ``dimension:code`` pair; ``None`` otherwise.
    """
    wanted = " ".join(label.strip().casefold().replace("–", "-").split())
    if ":" in wanted:
        dimension, _, code = wanted.partition(":")
        return (dimension, code) if is_system_code(dimension, code) else None
    for dimension, codes in CODE_LABELS.items():
        for code in codes:
            for lang in (ZH, EN):
                known = tag_label(dimension, code, lang).casefold().replace("–", "-")
                if wanted in (known, known.replace(" - ", "-")):
                    return dimension, code
    return None
