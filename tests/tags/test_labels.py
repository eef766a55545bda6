"""Labels of every system tag in both locales, and finding a tag by its label."""

from __future__ import annotations

import pytest

from saas.tags.labels import (
    CODE_LABELS,
    DIMENSION_CODES,
    SYSTEM_DIMENSIONS,
    find_by_label,
    tag_label,
)

ALL_TAGS = [(dim, code) for dim in SYSTEM_DIMENSIONS for code in CODE_LABELS[dim]]


def test_labels_cover_exactly_the_taxonomy_codes() -> None:
    for dimension in SYSTEM_DIMENSIONS:
        assert set(CODE_LABELS[dimension]) == DIMENSION_CODES[dimension]


@pytest.mark.parametrize(("dimension", "code"), ALL_TAGS)
def test_every_code_has_a_label_in_both_locales(dimension: str, code: str) -> None:
    zh, en = tag_label(dimension, code, "zh-CN"), tag_label(dimension, code, "en")
    zh_dim, _, zh_code = zh.partition("-")
    en_dim, _, en_code = en.partition(" – ")
    assert zh_dim in {"未响应", "偏好", "渠道", "匹配度"} and zh_code
    assert en_dim in {"No response", "Prefers", "Channel", "Match"} and en_code
    assert code not in zh and en_code != ""
    assert find_by_label(zh) == find_by_label(en) == (dimension, code)


def test_examples_from_the_taxonomy() -> None:
    assert tag_label("reason", "project_wrapup", "zh-CN") == "未响应-项目收尾"
    assert tag_label("reason", "project_wrapup", "en") == "No response – project wrap-up"
    assert tag_label("value", "team_culture", "zh-CN") == "偏好-团队氛围"
    assert tag_label("match", "high", "zh-CN") == "匹配度-高"
    assert tag_label("custom", "vip", "en", custom_labels={"vip": "重点关注"}) == "重点关注"
    assert find_by_label("No response - project wrap-up") == ("reason", "project_wrapup")
    assert find_by_label("reason:health") == ("reason", "health")
    assert find_by_label("whatever") is None
