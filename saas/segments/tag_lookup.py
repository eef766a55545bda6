"""Which tags ``tag:<text>`` names: system tags by label in any locale, custom tags.

``tag:`` accepts, case-insensitively:

* a system tag's full label in either locale (``未响应-项目收尾``,
  ``No response – project wrap-up``, also with a plain hyphen) or
  ``dimension:code`` (``reason:project_wrapup``);
* a system code's own label (``项目收尾``, ``project wrap-up``), which may name
  more than one dimension;
* a custom tag's code (``vip``) or label (``重点关注``).
"""

from __future__ import annotations

from typing import NamedTuple

import sqlalchemy as sa

from saas.extensions import db
from saas.tags.labels import CODE_LABELS, find_by_label
from saas.tags.models import Tag


class TagRef(NamedTuple):
    """A tag as stored on a candidate: ``dimension:code`` (dimension ``custom`` for own tags)."""

    dimension: str
    code: str


def _fold(text: str) -> str:
    return " ".join(text.strip().casefold().replace("–", "-").split())


def find_tags(text: str) -> list[TagRef]:
    """Every tag ``text`` names, system tags first; empty when it names none."""
    found: list[TagRef] = []
    full = find_by_label(text)
    if full is not None:
        found.append(TagRef(*full))
    wanted = _fold(text)
    for dimension, labels in CODE_LABELS.items():
        for code, pair in labels.items():
            if wanted in (_fold(pair[0]), _fold(pair[1])):
                found.append(TagRef(dimension, code))
    custom = db.session.scalars(
        sa.select(Tag.code).where(
            sa.or_(sa.func.lower(Tag.code) == wanted, sa.func.lower(Tag.label) == wanted)
        )
    )
    found.extend(TagRef("custom", code) for code in custom)
    return list(dict.fromkeys(found))
