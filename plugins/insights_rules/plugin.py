"""Hook implementations of the built-in rule-based insight extractor.

The rules (:func:`saas.insights.analyze_note`) give a confidence for the reason.
Values, channel and follow-up date carry fixed confidences, chosen from how
often the rules are right on the labelled development notes; a vendor plugin
that is surer of a field wins it when the answers are merged.
"""

from __future__ import annotations

import datetime

from saas.hooks import InsightResult, PluginManifest, hookimpl
from saas.insights import analyze_note
from saas.tenancy.models import TenantInfo

NAME = "insights_rules"
VALUE_CONFIDENCE = 0.8
CHANNEL_CONFIDENCE = 0.85
FOLLOW_UP_CONFIDENCE = 0.9


@hookimpl
def saas_plugin_manifest() -> PluginManifest:
    return PluginManifest(
        name=NAME,
        title={"en": "Note insights (rules)", "zh-CN": "沟通记录分析（规则）"},
        kind="insights",
        version="1.0",
        description={
            "en": "Reads reasons, values, the preferred channel and the follow-up date "
                  "from recruiter notes in Chinese and English.",
            "zh-CN": "从中英文沟通记录中读出未响应原因、候选人看重的方面、偏好的渠道和跟进日期。",
        },
        builtin=True,
    )


@hookimpl
def saas_extract_insights(
    tenant: TenantInfo, text: str, today: datetime.date, locale: str | None
) -> InsightResult:
    insight = analyze_note(text, today=today)
    return InsightResult(
        reason=insight.reason,
        reason_confidence=insight.confidence if insight.reason else 0.0,
        values=dict.fromkeys(sorted(insight.values), VALUE_CONFIDENCE),
        channel=insight.channel,
        channel_confidence=CHANNEL_CONFIDENCE if insight.channel else 0.0,
        follow_up_on=insight.follow_up_on,
        follow_up_confidence=FOLLOW_UP_CONFIDENCE if insight.follow_up_on else 0.0,
    )
