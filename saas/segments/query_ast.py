"""Typed, immutable syntax tree of the segment query language, and its error type.

A parsed query is a tree of five node kinds::

    And(items)    all items must hold (at least two items, never nested And)
    Or(items)     any item holds     (at least two items, never nested Or)
    Not(item)     the item does not hold
    Term(text)    free text: searches name, company, title and skills
    FieldTerm(field, op, value, position, parsed)
                  ``field:[op]value``; ``parsed`` is the validated, typed value

The parser flattens ``(a b) c`` into ``And((a, b, c))`` and ``a OR (b OR c)`` into
``Or((a, b, c))``; an empty query parses to ``None`` ("everything").

``position`` (a 0-based character offset into the query) is kept for error messages
but does not take part in equality, so a query and its canonical re-rendering
(``to_query_text``) parse to equal trees.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from dataclasses import field as dc_field
from enum import StrEnum
from typing import Literal, TypeAlias

from saas.segments import codes

Comparison: TypeAlias = Literal[">=", "<=", ">", "<"]
"""A comparison operator, as written after ``field:``."""

COMPARISONS: tuple[Comparison, ...] = (">=", "<=", ">", "<")

FIELDS: tuple[str, ...] = (
    "reason",
    "value",
    "match",
    "tag",
    "status",
    "channel",
    "skill",
    "signal",
    "city",
    "last_contact",
    "contract_end",
    "follow_up",
    "owner",
)
"""Every field a query may name, in the order the documentation lists them."""

COMPARISON_FIELDS: frozenset[str] = frozenset({"match", "last_contact", "contract_end"})
"""The only fields that accept ``>=``, ``<=``, ``>`` or ``<`` before their value."""

MAX_QUERY_LENGTH = 2000
"""Longest accepted query, in characters (Unicode code points)."""
MAX_DEPTH = 20
"""Deepest accepted nesting; every ``(`` and every ``NOT``/``-`` adds one level."""
MAX_TERMS = 100
"""Most search terms (free text plus ``field:value``) a query may contain."""


class ErrorCode(StrEnum):
    """Stable machine codes carried by :class:`SegmentQueryError`."""

    QUERY_TOO_LONG = "query_too_long"
    NESTING_TOO_DEEP = "nesting_too_deep"
    TOO_MANY_TERMS = "too_many_terms"
    UNTERMINATED_QUOTE = "unterminated_quote"
    UNBALANCED_PAREN = "unbalanced_paren"
    UNEXPECTED_TOKEN = "unexpected_token"  # noqa: S105 - an error code, not a secret
    UNEXPECTED_END = "unexpected_end"
    MISSING_VALUE = "missing_value"
    UNKNOWN_FIELD = "unknown_field"
    INVALID_VALUE = "invalid_value"
    # Raised when the query is compiled against a tenant's data (saas.segments.compiler).
    UNKNOWN_TAG = "unknown_tag"
    UNKNOWN_OWNER = "unknown_owner"


class SegmentQueryError(Exception):
    """A query that does not parse or names an invalid value.

    ``message`` is plain English for a recruiter, ``position`` the 0-based character
    offset (Unicode code point, not UTF-16 unit or byte) where the problem is, and
    ``code`` one of the :class:`ErrorCode` values.
    """

    def __init__(self, message: str, position: int, code: ErrorCode | str) -> None:
        super().__init__(message)
        self.message: str = message
        self.position: int = position
        self.code: str = str(code)

    def to_dict(self) -> dict[str, str | int]:
        """The fields an API problem body needs: ``code``, ``message``, ``position``."""
        return {"code": self.code, "message": self.message, "position": self.position}

    def __repr__(self) -> str:
        return (
            f"SegmentQueryError(message={self.message!r}, position={self.position}, "
            f"code={self.code!r})"
        )


# --- typed field values -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Code:
    """A taxonomy code (reason, value, channel, status, signal), lower-cased."""

    code: str


@dataclass(frozen=True, slots=True)
class Text:
    """Free text of ``tag``, ``skill`` or ``city``, stripped, never empty."""

    text: str


class MatchLevel(StrEnum):
    """``match:high|medium|low``: the taxonomy's match bands."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def score_range(self) -> tuple[int | None, int | None]:
        """``(min inclusive, max exclusive)`` score; ``None`` means unbounded."""
        if self is MatchLevel.HIGH:
            return (80, None)
        if self is MatchLevel.MEDIUM:
            return (60, 80)
        return (None, 60)


@dataclass(frozen=True, slots=True)
class ScoreBound:
    """``match:>=80``: best match score compared with ``score`` (0..100)."""

    op: Comparison
    score: int


@dataclass(frozen=True, slots=True)
class DurationDays:
    """``last_contact:>180d`` or ``contract_end:<90d``, converted to whole days.

    Units: ``d`` = 1, ``w`` = 7, ``m`` = 30 days (also 天/日, 周, 月/个月); a number
    without a unit is days.
    """

    op: Comparison
    days: int


class FollowUp(StrEnum):
    """``follow_up:due``: ``next_follow_up_on`` is today or earlier."""

    DUE = "due"


@dataclass(frozen=True, slots=True)
class OwnerMe:
    """``owner:me``: the user running the query."""


@dataclass(frozen=True, slots=True)
class OwnerEmail:
    """``owner:<email>``: the recruiter with that e-mail address (lower-cased)."""

    address: str


FieldValue: TypeAlias = (
    Code | Text | MatchLevel | ScoreBound | DurationDays | FollowUp | OwnerMe | OwnerEmail
)


# --- field validation ----------------------------------------------------------------

MAX_DURATION_DAYS = 36500
"""Longest duration ``last_contact``/``contract_end`` accept (100 years)."""

_CODE_FIELDS: dict[str, frozenset[str]] = {
    "reason": codes.REASON_CODES,
    "value": codes.VALUE_CODES,
    "channel": codes.CHANNEL_CODES,
    "status": codes.STATUS_CODES,
    "signal": codes.SIGNAL_CODES,
}
_INT_RE = re.compile(r"[0-9]+")
_DURATION_RE = re.compile(r"([0-9]+)\s*(d|w|m|天|日|周|星期|个月|月)?")
_UNIT_DAYS: dict[str | None, int] = {
    **dict.fromkeys((None, "d", "天", "日"), 1),
    **dict.fromkeys(("w", "周", "星期"), 7),
    **dict.fromkeys(("m", "月", "个月"), 30),
}
_EMAIL_RE = re.compile(r"[^@\s\"“”()]+@[^@\s\"“”()]+")
_MATCH_HELP = "'match' needs high, medium, low or a score such as >=80"


_Validator = Callable[[str, Comparison | None, str, int], FieldValue]


def _invalid(message: str, position: int) -> SegmentQueryError:
    return SegmentQueryError(message, position, ErrorCode.INVALID_VALUE)


def _normalize(value: str) -> str:
    """Fold full-width digits and letters (１８０ｄ) to ASCII, strip and lower-case."""
    return unicodedata.normalize("NFKC", value).strip().lower()


def did_you_mean(word: str, choices: Sequence[str]) -> str:
    """`` Did you mean 'x'?`` for the closest of ``choices``, or ``""``."""
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.75)
    return f" Did you mean '{close[0]}'?" if close else ""


def _code(name: str, op: Comparison | None, value: str, position: int) -> FieldValue:
    code = value.strip().lower()
    known = _CODE_FIELDS[name]
    if code in known:
        return Code(code)
    ordered = sorted(known)
    raise _invalid(
        f"Unknown {name} '{value.strip()}' (known: {', '.join(ordered)})."
        f"{did_you_mean(code, ordered)}",
        position,
    )


def _text(name: str, op: Comparison | None, value: str, position: int) -> FieldValue:
    return Text(value.strip())


def _match(name: str, op: Comparison | None, value: str, position: int) -> FieldValue:
    normalized = _normalize(value)
    if op is None:
        if normalized in codes.MATCH_LEVEL_CODES:
            return MatchLevel(normalized)
        raise _invalid(_MATCH_HELP, position)
    if not _INT_RE.fullmatch(normalized):
        raise _invalid(_MATCH_HELP, position)
    score = int(normalized)
    if score > 100:
        raise _invalid(f"Match scores run from 0 to 100, not {score}", position)
    return ScoreBound(op, score)


def _duration(name: str, op: Comparison | None, value: str, position: int) -> FieldValue:
    example = f"{name}:>180d" if name == "last_contact" else f"{name}:<90d"
    if op is None:
        raise _invalid(
            f"'{name}' needs a comparison and a number of days, weeks or months, such as {example}",
            position,
        )
    matched = _DURATION_RE.fullmatch(_normalize(value))
    if matched is None:
        raise _invalid(
            f"'{name}' needs a number of days (d), weeks (w) or months (m), such as {example}",
            position,
        )
    days = int(matched[1]) * _UNIT_DAYS[matched[2]]
    if days > MAX_DURATION_DAYS:
        raise _invalid(f"'{name}' goes up to {MAX_DURATION_DAYS} days (100 years)", position)
    return DurationDays(op, days)


def _follow_up(name: str, op: Comparison | None, value: str, position: int) -> FieldValue:
    if _normalize(value) == FollowUp.DUE.value:
        return FollowUp.DUE
    raise _invalid(
        "'follow_up' only takes 'due' (follow_up:due: the follow-up date is today or earlier)",
        position,
    )


def _owner(name: str, op: Comparison | None, value: str, position: int) -> FieldValue:
    owner = value.strip()
    if owner.lower() == "me":
        return OwnerMe()
    if _EMAIL_RE.fullmatch(owner):
        return OwnerEmail(owner.lower())
    raise _invalid(
        "'owner' needs me or an e-mail address, such as owner:me or owner:li.na@acme.example",
        position,
    )


_VALIDATORS: dict[str, _Validator] = {
    **dict.fromkeys(("reason", "value", "channel", "status", "signal"), _code),
    **dict.fromkeys(("tag", "skill", "city"), _text),
    **dict.fromkeys(("last_contact", "contract_end"), _duration),
    "match": _match,
    "follow_up": _follow_up,
    "owner": _owner,
}


def validate_field_value(
    field: str,
    op: Comparison | None,
    value: str,
    position: int = 0,
    *,
    op_position: int | None = None,
) -> FieldValue:
    """The typed value of ``field:[op]value``, or :class:`SegmentQueryError`.

    ``field`` is case-insensitive; ``value`` is the raw value (quotes removed).
    Errors point at ``position`` (the value), except an operator the field does not
    take, which points at ``op_position`` when given.
    """
    name = field.lower()
    validator = _VALIDATORS.get(name)
    if validator is None:
        raise SegmentQueryError(
            f"Unknown field '{field}' (known: {', '.join(FIELDS)}).{did_you_mean(name, FIELDS)}",
            position,
            ErrorCode.UNKNOWN_FIELD,
        )
    if op is not None and name not in COMPARISON_FIELDS:
        raise _invalid(
            f"'{name}' cannot be compared with '{op}': only match, last_contact and "
            "contract_end take >=, <=, > or <",
            position if op_position is None else op_position,
        )
    if not value.strip():
        raise SegmentQueryError(
            f"Expected a value after '{name}:{op or ''}'", position, ErrorCode.MISSING_VALUE
        )
    return validator(name, op, value, position)


# --- nodes --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Term:
    """Free text (a bare word or a double-quoted phrase without a field)."""

    text: str
    position: int = dc_field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class FieldTerm:
    """``field:[op]value``.

    ``field`` is the canonical lower-case field name, ``op`` the comparison or
    ``None``, ``value`` the raw value as written (quotes removed, escapes decoded,
    case kept) and ``parsed`` its validated typed form, which the parser always
    sets (see :attr:`typed`).
    """

    field: str
    op: Comparison | None
    value: str
    position: int = dc_field(default=0, compare=False)
    parsed: FieldValue | None = None

    @property
    def typed(self) -> FieldValue:
        """The validated value; raises ``ValueError`` on a hand-built, unvalidated term."""
        if self.parsed is None:
            raise ValueError(f"field term {self.field}:{self.value!r} was not validated")
        return self.parsed


def _as_items(node: And | Or, items: Iterable[Node]) -> None:
    """Store ``items`` as a tuple on a frozen And/Or (lists are accepted too)."""
    as_tuple = tuple(items)
    object.__setattr__(node, "items", as_tuple)
    if len(as_tuple) < 2:
        raise ValueError(f"{type(node).__name__} needs at least two items")


@dataclass(frozen=True, slots=True)
class And:
    """All items hold. Juxtaposition and ``AND`` both produce it."""

    items: tuple[Node, ...]

    def __post_init__(self) -> None:
        _as_items(self, self.items)


@dataclass(frozen=True, slots=True)
class Or:
    """At least one item holds."""

    items: tuple[Node, ...]

    def __post_init__(self) -> None:
        _as_items(self, self.items)


@dataclass(frozen=True, slots=True)
class Not:
    """The item does not hold (``NOT x`` or ``-x``)."""

    item: Node


Node: TypeAlias = And | Or | Not | Term | FieldTerm


def walk(node: Node | None) -> Iterator[Node]:
    """Every node of the tree, parents before children, left to right."""
    if node is None:
        return
    stack: list[Node] = [node]
    while stack:
        current = stack.pop()
        yield current
        if isinstance(current, And | Or):
            stack.extend(reversed(current.items))
        elif isinstance(current, Not):
            stack.append(current.item)
