"""Match scores: how well a candidate fits the tenant's open openings (0-100).

Against one opening the score is ``70 × skill coverage + 30 × value coverage``:
skill coverage is the share of the opening's skills the candidate has
(``CandidateSkill``), value coverage the share of the opening's values the
candidate holds as ``value:`` tags. An opening with no values weighs skills
alone, one with no skills values alone. ``Candidate.best_match_score`` is the
best score over every open opening (``None`` when nothing is open).

TAXONOMY's bands: ``high`` ≥ 80, ``medium`` 60-79, ``low`` < 60.

Scores are refreshed for the whole tenant by a background job whenever an
opening is opened, changed while open, closed or deleted
(:func:`schedule_match_refresh`), and for one candidate when their skills or
values change (``saas.candidates.services`` calls :func:`refresh_match_scores`).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from saas.candidates.models import Candidate, CandidateSkill
from saas.extensions import db
from saas.jobs import enqueue
from saas.openings.models import Opening
from saas.openings.service import open_openings
from saas.tags.models import CandidateTag
from saas.tenancy.context import require_tenant_id

SKILL_WEIGHT = 70
VALUE_WEIGHT = 30
HIGH = 80
MEDIUM = 60
BATCH = 1000


def match_level(score: int | None) -> str | None:
    """TAXONOMY's match band of a score (``None`` when unscored)."""
    if score is None:
        return None
    if score >= HIGH:
        return "high"
    return "medium" if score >= MEDIUM else "low"


def score_parts(skill_hits: int, skill_total: int, value_hits: int, value_total: int) -> int:
    """The 0-100 score from overlap counts (see the module docstring)."""
    if skill_total and value_total:
        raw = SKILL_WEIGHT * skill_hits / skill_total + VALUE_WEIGHT * value_hits / value_total
    elif skill_total:
        raw = 100 * skill_hits / skill_total
    elif value_total:
        raw = 100 * value_hits / value_total
    else:
        return 0
    return round(raw)


def opening_score(skills: Collection[str], values: Collection[str], opening: Opening) -> int:
    wanted_skills, wanted_values = set(opening.skills or []), set(opening.values or [])
    return score_parts(len(wanted_skills & set(skills)), len(wanted_skills),
                       len(wanted_values & set(values)), len(wanted_values))


@dataclass(frozen=True)
class BestMatch:
    score: int
    opening: Opening


def best_match(skills: Collection[str], values: Collection[str],
               openings: Sequence[Opening]) -> BestMatch | None:
    """The best-fitting opening (the oldest wins a tie); ``None`` without openings."""
    best: BestMatch | None = None
    for opening in openings:
        score = opening_score(skills, values, opening)
        if best is None or score > best.score:
            best = BestMatch(score, opening)
    return best


def profiles(candidate_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, tuple[set[str], set[str]]]:
    """Each candidate's skills and value codes, read in two queries."""
    found: dict[uuid.UUID, tuple[set[str], set[str]]] = {c: (set(), set()) for c in candidate_ids}
    for candidate_id, skill in db.session.execute(
            sa.select(CandidateSkill.candidate_id, CandidateSkill.skill)
            .where(CandidateSkill.candidate_id.in_(candidate_ids))):
        found[candidate_id][0].add(skill)
    for candidate_id, code in db.session.execute(
            sa.select(CandidateTag.candidate_id, CandidateTag.code)
            .where(CandidateTag.candidate_id.in_(candidate_ids),
                   CandidateTag.dimension == "value")):
        found[candidate_id][1].add(code)
    return found


def _write(scores: Iterable[tuple[uuid.UUID, int | None]]) -> int:
    rows = [{"cid": cid, "score": score} for cid, score in scores]
    if rows:
        table = Candidate.__table__
        db.session.execute(
            sa.update(table).where(table.c.tenant_id == sa.bindparam("tid"),
                                   table.c.id == sa.bindparam("cid"))
            .values(best_match_score=sa.bindparam("score")),
            [{"tid": require_tenant_id(), **row} for row in rows])
    return len(rows)


def _refresh_batch(rows: Sequence[sa.Row[uuid.UUID, int | None]],
                   openings: Sequence[Opening]) -> int:
    found = profiles([row[0] for row in rows])
    changed = []
    for candidate_id, current in rows:
        skills, values = found[candidate_id]
        best = best_match(skills, values, openings)
        score = best.score if best is not None else None
        if score != current:
            changed.append((candidate_id, score))
    return _write(changed)


def refresh_match_scores(candidate_ids: Sequence[uuid.UUID] | None = None) -> int:
    """Recompute ``best_match_score`` (all candidates, or these); returns how many changed.

    Idempotent and batched (``BATCH`` candidates a round, only changed rows are
    written). For chosen candidates with no opening open, scores are left as they
    are: only the tenant-wide refresh clears them. The caller commits.
    """
    openings = open_openings()
    if candidate_ids is not None:
        if not openings or not candidate_ids:
            return 0
        db.session.flush()
        rows = db.session.execute(sa.select(Candidate.id, Candidate.best_match_score)
                                  .where(Candidate.id.in_(list(candidate_ids)))).all()
        return _refresh_batch(rows, openings)
    if not openings:
        cleared = db.session.execute(
            sa.update(Candidate).where(Candidate.best_match_score.is_not(None))
            .values(best_match_score=None).execution_options(synchronize_session=False))
        return int(getattr(cleared, "rowcount", 0) or 0)
    changed, after = 0, None
    while True:
        stmt = sa.select(Candidate.id, Candidate.best_match_score).order_by(Candidate.id)
        if after is not None:
            stmt = stmt.where(Candidate.id > after)
        rows = db.session.execute(stmt.limit(BATCH)).all()
        if not rows:
            return changed
        changed += _refresh_batch(rows, openings)
        db.session.flush()
        after = rows[-1][0]


def recompute_match_scores(tenant_id: uuid.UUID) -> int:
    """The background job: every candidate of the tenant against today's open openings."""
    return refresh_match_scores()


def schedule_match_refresh() -> None:
    """Enqueue the tenant-wide refresh (call after committing the opening change)."""
    enqueue(recompute_match_scores, require_tenant_id())
