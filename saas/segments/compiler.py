"""Compile a parsed segment query to a SQLAlchemy expression over ``Candidate``.

No SQL is built from strings: every value is a bound parameter. The expressions
are shaped for the indexes that lead with ``tenant_id`` (the tenant criterion is
added to the outer query and to every subquery by the tenancy listeners):

* ``reason``/``value`` and system or custom ``tag`` terms are ``EXISTS``
  semi-joins on ``candidate_tags (tenant_id, dimension, code, candidate_id)``;
  manual and inferred tags both count;
* ``skill`` (and the skill half of a bare word) is an ``EXISTS`` on
  ``candidate_skills (tenant_id, skill, candidate_id)``;
* ``match``, ``last_contact``, ``contract_end`` and ``follow_up`` are range
  conditions on their indexed columns.

NULL semantics: every predicate is two-valued (true or false, never NULL), so
``-x`` selects exactly the candidates ``x`` does not. A NULL column never
matches a comparison (no match score is not ``match:low``; no city is not
``city:上海``), except ``last_contact:>N`` / ``>=N``, where a candidate never
contacted counts as contacted long ago.

``signal:`` compiles to *false* until profile feeds deliver signals: a saved
segment that names a signal stays valid and starts matching once they land.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, NoReturn

import sqlalchemy as sa
from flask_smorest import abort

from saas.auth.users import find_by_email
from saas.candidates.models import Candidate, CandidateSkill
from saas.segments.query import parse_segment_query
from saas.segments.query_ast import (
    And,
    Code,
    DurationDays,
    ErrorCode,
    FieldTerm,
    FollowUp,
    MatchLevel,
    Node,
    Not,
    Or,
    OwnerEmail,
    OwnerMe,
    ScoreBound,
    SegmentQueryError,
    Term,
    Text,
)
from saas.segments.tag_lookup import TagRef, find_tags
from saas.tags.models import CandidateTag

__all__ = ["candidate_filter", "segment_problem", "select_candidates"]

Predicate = sa.ColumnElement[bool]


def select_candidates(
    query_text: str | None, *, today: dt.date, user_id: uuid.UUID | None
) -> sa.Select[Candidate]:
    """``SELECT candidates`` matching ``query_text`` (all of them when blank), unordered.

    Raises :class:`SegmentQueryError` (with ``position``) for a query that does not
    parse or names an unknown tag or owner.
    """
    node = parse_segment_query(query_text) if query_text else None
    return sa.select(Candidate).where(candidate_filter(node, today=today, user_id=user_id))


def candidate_filter(node: Node | None, *, today: dt.date, user_id: uuid.UUID | None) -> Predicate:
    """The WHERE condition on ``Candidate`` for a parsed query (``true`` for ``None``)."""
    if node is None:
        return sa.true()
    return _Compiler(today, user_id).compile(node)


def segment_problem(exc: SegmentQueryError) -> NoReturn:
    """Abort with a 400 problem that names the ``position`` and ``code`` of ``exc``."""
    abort(
        400,
        message=exc.message,
        extra={"position": exc.position, "code": exc.code},
    )
    raise exc  # unreachable: abort raises


# --- compilation ----------------------------------------------------------------------


def _known(column: Any, condition: Predicate) -> Predicate:
    """``condition`` on a nullable column, false (not NULL) when the column is NULL."""
    return sa.and_(column.is_not(None), condition)


def _has_tag(dimension: str, codes: list[str]) -> Predicate:
    """The candidate has a tag of ``dimension`` with one of ``codes`` (any source)."""
    code_match = CandidateTag.code == codes[0] if len(codes) == 1 else CandidateTag.code.in_(codes)
    return (
        sa.select(CandidateTag.id)
        .where(
            CandidateTag.tenant_id == Candidate.tenant_id,
            CandidateTag.dimension == dimension,
            code_match,
            CandidateTag.candidate_id == Candidate.id,
        )
        .exists()
    )


def _has_reason(code: str) -> Predicate:
    """The candidate's primary reason (one per candidate, kept on the row) is ``code``."""
    return _known(Candidate.reason, Candidate.reason == code)


def _has_skill(skill: str) -> Predicate:
    return (
        sa.select(CandidateSkill.id)
        .where(
            CandidateSkill.tenant_id == Candidate.tenant_id,
            CandidateSkill.skill == skill.lower(),
            CandidateSkill.candidate_id == Candidate.id,
        )
        .exists()
    )


def _escape_like(text: str) -> str:
    """``text`` with LIKE wildcards and the escape character taken literally."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _ilike(column: Any, pattern: str) -> Predicate:
    """Case-insensitive LIKE on a nullable column (false when NULL)."""
    return _known(column, column.ilike(pattern, escape="\\"))


def _score_band(low: int | None, high: int | None) -> Predicate:
    """``low <= best_match_score < high`` (either bound open); NULL never matches."""
    score = Candidate.best_match_score
    conditions = []
    if low is not None:
        conditions.append(score >= low)
    if high is not None:
        conditions.append(score < high)
    return _known(score, sa.and_(*conditions))


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


class _Compiler:
    def __init__(self, today: dt.date, user_id: uuid.UUID | None) -> None:
        self.today = today
        self.user_id = user_id

    def compile(self, node: Node) -> Predicate:
        if isinstance(node, And):
            return sa.and_(*(self.compile(item) for item in node.items))
        if isinstance(node, Or):
            return sa.or_(*(self.compile(item) for item in node.items))
        if isinstance(node, Not):
            return sa.not_(self.compile(node.item))
        if isinstance(node, Term):
            return self._words(node.text)
        return self._field(node)

    def _words(self, text: str) -> Predicate:
        """A bare word: substring of name, company or title, or exactly a skill."""
        pattern = f"%{_escape_like(text)}%"
        return sa.or_(
            Candidate.name.ilike(pattern, escape="\\"),
            _ilike(Candidate.current_company, pattern),
            _ilike(Candidate.title, pattern),
            _has_skill(text),
        )

    def _field(self, term: FieldTerm) -> Predicate:
        value = term.typed
        name = term.field
        if name == "reason" and isinstance(value, Code):
            return _has_reason(value.code)
        if name == "value" and isinstance(value, Code):
            return _has_tag(name, [value.code])
        if name == "status" and isinstance(value, Code):
            return Candidate.status == value.code
        if name == "channel" and isinstance(value, Code):
            return _known(Candidate.preferred_channel, Candidate.preferred_channel == value.code)
        if name == "signal":
            return sa.false()
        if name == "match":
            return self._match(value)
        if name == "skill" and isinstance(value, Text):
            return _has_skill(value.text)
        if name == "city" and isinstance(value, Text):
            return _ilike(Candidate.city, _escape_like(value.text))
        if name == "tag" and isinstance(value, Text):
            return self._tag(term, value.text)
        if name == "last_contact" and isinstance(value, DurationDays):
            return self._last_contact(value)
        if name == "contract_end" and isinstance(value, DurationDays):
            return self._contract_end(value)
        if name == "follow_up" and value is FollowUp.DUE:
            return _known(Candidate.next_follow_up_on, Candidate.next_follow_up_on <= self.today)
        if name == "owner" and isinstance(value, OwnerMe | OwnerEmail):
            return self._owner(term, value)
        raise ValueError(f"cannot compile {name}:{term.value!r}")  # pragma: no cover

    @staticmethod
    def _match(value: object) -> Predicate:
        if isinstance(value, MatchLevel):
            return _score_band(*value.score_range)
        if not isinstance(value, ScoreBound):  # pragma: no cover - the parser guarantees it
            raise ValueError(f"not a match value: {value!r}")
        score = Candidate.best_match_score
        comparisons = {
            ">=": score >= value.score,
            ">": score > value.score,
            "<=": score <= value.score,
            "<": score < value.score,
        }
        return _known(score, comparisons[value.op])

    def _last_contact(self, value: DurationDays) -> Predicate:
        """Whole days since the last contact's UTC date compared with ``value.days``."""
        column = Candidate.last_contact_at
        if value.op in (">", ">="):
            # days since > N  <=>  contact date < today - N (+1 day for >=).
            extra = 1 if value.op == ">=" else 0
            cutoff = _start_of(self.today - dt.timedelta(days=value.days - extra))
            return sa.or_(column.is_(None), column < cutoff)
        # days since < N  <=>  contact date > today - N (>= for <=).
        extra = 0 if value.op == "<=" else 1
        cutoff = _start_of(self.today - dt.timedelta(days=value.days - extra))
        return _known(column, column >= cutoff)

    def _contract_end(self, value: DurationDays) -> Predicate:
        """Days from today until the contract ends (past ends never match)."""
        column = Candidate.contract_end_date
        bound = self.today + dt.timedelta(days=value.days)
        if value.op == "<":
            window = sa.and_(column >= self.today, column < bound)
        elif value.op == "<=":
            window = sa.and_(column >= self.today, column <= bound)
        elif value.op == ">":
            window = column > bound
        else:
            window = column >= bound
        return _known(column, window)

    def _owner(self, term: FieldTerm, value: OwnerMe | OwnerEmail) -> Predicate:
        position = _value_position(term)
        if isinstance(value, OwnerMe):
            if self.user_id is None:
                raise SegmentQueryError(
                    "owner:me needs a signed-in user; name the owner's e-mail address instead",
                    position,
                    ErrorCode.UNKNOWN_OWNER,
                )
            owner_id = self.user_id
        else:
            found = find_by_email(value.address)  # any case; by blind index if encrypted
            if found is None:
                raise SegmentQueryError(
                    f"No user of this workspace has the e-mail address '{value.address}'",
                    position,
                    ErrorCode.UNKNOWN_OWNER,
                )
            owner_id = found.id
        return _known(Candidate.owner_id, Candidate.owner_id == owner_id)

    def _tag(self, term: FieldTerm, text: str) -> Predicate:
        matches = find_tags(text)
        if not matches:
            raise SegmentQueryError(
                f"No tag is called '{text}': use a tag's label (such as 未响应-项目收尾 or "
                "\"No response – project wrap-up\") or a custom tag's code or label",
                _value_position(term),
                ErrorCode.UNKNOWN_TAG,
            )
        return sa.or_(*(_tag_predicate(tag) for tag in matches))


def _tag_predicate(tag: TagRef) -> Predicate:
    """A match tag is the score band it names; any other tag is a candidate_tags row."""
    if tag.dimension == "match":
        return _score_band(*MatchLevel(tag.code).score_range)
    if tag.dimension == "reason":
        return _has_reason(tag.code)
    return _has_tag(tag.dimension, [tag.code])


def _value_position(term: FieldTerm) -> int:
    """Where the value of ``field:value`` starts (fields without an operator)."""
    return term.position + len(term.field) + 1 + len(term.op or "")
