"""Segments: the query language that selects candidates (re-exports only)."""

from saas.segments.query import parse_segment_query, to_query_text
from saas.segments.query_ast import (
    And,
    FieldTerm,
    Node,
    Not,
    Or,
    SegmentQueryError,
    Term,
)

__all__ = [
    "And",
    "FieldTerm",
    "Node",
    "Not",
    "Or",
    "SegmentQueryError",
    "Term",
    "parse_segment_query",
    "to_query_text",
]
