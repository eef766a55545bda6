"""Queue reasons from openings and company news.

* ``value_news`` (25 points): a change event was published after the candidate
  was last heard from (last contact, else when they were added) and speaks to a
  value they hold. The points stay one SQL expression: before the queue query,
  the latest publication per value code is read (a handful of rows), and the
  reason is a single ``EXISTS`` on the candidate's value tags —
  ``(code = 'flexibility' AND last_heard < :t1) OR …`` — served by
  ``ix_candidate_tags_code``.
* ``high_match`` (replacing the built-in one, same points): the words name the
  opening the candidate fits best, e.g. "High match for Backend lead (85/100)".
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence

import sqlalchemy as sa
from flask_babel import gettext as _

from saas.candidates.models import Candidate
from saas.extensions import db
from saas.openings.matching import best_match, profiles
from saas.openings.models import ChangeEvent
from saas.openings.service import open_openings
from saas.queue import builtin_reasons
from saas.queue.reasons import QueueContext, QueueReason, add_queue_reason, points_when
from saas.tags.labels import code_label
from saas.tags.models import CandidateTag

VALUE_NEWS_POINTS = 25
HIGH_MATCH_POINTS = 25


def latest_news_by_value() -> dict[str, dt.datetime]:
    """Each value code and the newest publication of an event speaking to it."""
    latest: dict[str, dt.datetime] = {}
    for values, published in db.session.execute(
            sa.select(ChangeEvent.values, ChangeEvent.published_at)
            .where(ChangeEvent.published_at.is_not(None))):
        if published is None:
            continue
        for code in values or []:
            if code not in latest or published > latest[code]:
                latest[code] = published
    return latest


def _last_heard() -> sa.ColumnElement[dt.datetime]:
    return sa.func.coalesce(Candidate.last_contact_at, Candidate.created_at)


def _value_news_points(ctx: QueueContext) -> sa.ColumnElement[int]:
    latest = latest_news_by_value()
    if not latest:
        return sa.literal(0)
    newer = sa.or_(*(sa.and_(CandidateTag.code == code, _last_heard() < published)
                     for code, published in sorted(latest.items())))
    news = sa.exists(sa.select(CandidateTag.candidate_id).where(
        CandidateTag.candidate_id == Candidate.id, CandidateTag.dimension == "value",
        CandidateTag.code.in_(sorted(latest)), newer))
    return points_when(news, VALUE_NEWS_POINTS)


def _describe_value_news(
    ctx: QueueContext, candidates: Sequence[Candidate]
) -> Mapping[uuid.UUID, str]:
    values = {cid: held for cid, (_skills, held) in profiles([c.id for c in candidates]).items()}
    events = list(db.session.scalars(
        sa.select(ChangeEvent).where(ChangeEvent.published_at.is_not(None))
        .order_by(ChangeEvent.published_at.desc())))
    texts: dict[uuid.UUID, str] = {}
    for candidate in candidates:
        heard = candidate.last_contact_at or candidate.created_at
        for event in events:
            assert event.published_at is not None
            shared = [code for code in event.values or [] if code in values[candidate.id]]
            if shared and event.published_at > heard:
                texts[candidate.id] = _(
                    "Values %(value)s; “%(event)s” was announced since you last talked",
                    value=code_label("value", shared[0]), event=event.title)
                break
    return texts


def _describe_match(
    ctx: QueueContext, candidates: Sequence[Candidate]
) -> Mapping[uuid.UUID, str]:
    openings = open_openings()
    found = profiles([c.id for c in candidates])
    texts: dict[uuid.UUID, str] = {}
    for candidate in candidates:
        best = best_match(*found[candidate.id], openings)
        score = candidate.best_match_score or 0
        if best is None:
            texts[candidate.id] = _("High match for an open opening (%(score)d/100)", score=score)
        else:
            texts[candidate.id] = _("High match for %(opening)s (%(score)d/100)",
                                    opening=best.opening.title, score=score)
    return texts


def register_opening_reasons() -> None:
    add_queue_reason(QueueReason("value_news", _value_news_points, _describe_value_news))
    add_queue_reason(QueueReason(
        "high_match",
        lambda ctx: points_when(Candidate.best_match_score >= builtin_reasons.HIGH_MATCH,
                                HIGH_MATCH_POINTS),
        _describe_match,
    ))


register_opening_reasons()
