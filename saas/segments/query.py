"""Parser, validator and canonical renderer of the segment query language.

Grammar (CONTRACTS.md, "Segments")::

    query   := or
    or      := and ("OR" and)*
    and     := unary (["AND"] unary)*          juxtaposition means AND
    unary   := "NOT" unary | "-" unary | atom
    atom    := "(" query ")" | field ":" [op] value | word
    op      := ">=" | "<=" | ">" | "<"
    value   := bare-word | "double-quoted string"

``NOT``/``-`` bind tightest, then AND, then OR. Keywords and field names are
case-insensitive; so are taxonomy codes (``status:Stalled`` is ``stalled``). Lexical
details are in :mod:`saas.segments.query_lexer`.

:func:`parse_segment_query` returns the validated tree (:mod:`saas.segments.query_ast`)
or ``None`` for an empty or whitespace-only query, which means "every candidate".
Every problem raises :class:`SegmentQueryError` with ``message``, ``position`` and
``code``. :func:`to_query_text` renders a tree back to canonical query text, so that
``parse(to_query_text(parse(q))) == parse(q)``.
"""

from __future__ import annotations

from collections.abc import Sequence

from saas.segments.query_ast import (
    FIELDS,
    MAX_DEPTH,
    MAX_QUERY_LENGTH,
    MAX_TERMS,
    And,
    ErrorCode,
    FieldTerm,
    Node,
    Not,
    Or,
    SegmentQueryError,
    Term,
    did_you_mean,
    validate_field_value,
)
from saas.segments.query_lexer import KEYWORDS, Lexer, Token, TokenKind, is_delimiter

__all__ = ["parse_segment_query", "to_query_text"]

_TERM_STARTS = frozenset(
    {TokenKind.WORD, TokenKind.PHRASE, TokenKind.FIELD, TokenKind.LPAREN, TokenKind.NOT}
)


def parse_segment_query(text: str) -> Node | None:
    """Parse and validate a segment query.

    Returns ``None`` for an empty or whitespace-only query (it selects everything);
    raises :class:`SegmentQueryError` for anything that does not parse.
    """
    if not isinstance(text, str):
        raise TypeError(f"segment query must be a str, not {type(text).__name__}")
    if len(text) > MAX_QUERY_LENGTH:
        raise SegmentQueryError(
            f"The query is too long: {len(text)} characters, at most "
            f"{MAX_QUERY_LENGTH} are allowed",
            MAX_QUERY_LENGTH,
            ErrorCode.QUERY_TOO_LONG,
        )
    if not text.strip():
        return None
    return _Parser(text).parse()


# --- parser -------------------------------------------------------------------------


class _Parser:
    """Recursive descent over a lazy token stream with one token of look-ahead.

    ``after`` arguments carry the token that demanded the next search term (``OR``,
    ``AND``, ``NOT``, ``-``, ``(``), so error messages can name it.
    """

    def __init__(self, text: str) -> None:
        self._lexer = Lexer(text)
        self._current: Token | None = None
        self._terms = 0
        self._open_parens = 0

    def _peek(self) -> Token:
        if self._current is None:
            self._current = self._lexer.next_token()
        return self._current

    def _advance(self) -> Token:
        token = self._peek()
        self._current = None
        return token

    def parse(self) -> Node:
        node = self._or(0, None)
        token = self._peek()
        if token.kind is TokenKind.RPAREN:
            raise SegmentQueryError(
                "Closing parenthesis ')' has no matching '('",
                token.position,
                ErrorCode.UNBALANCED_PAREN,
            )
        if token.kind is not TokenKind.EOF:  # pragma: no cover - grammar makes it unreachable
            raise SegmentQueryError(
                f"Unexpected '{_describe(token)}'", token.position, ErrorCode.UNEXPECTED_TOKEN
            )
        return node

    def _or(self, depth: int, after: Token | None) -> Node:
        items = [self._and(depth, after)]
        while self._peek().kind is TokenKind.OR:
            keyword = self._advance()
            items.append(self._and(depth, keyword))
        return _combine(Or, items)

    def _and(self, depth: int, after: Token | None) -> Node:
        items = [self._unary(depth, after)]
        while True:
            token = self._peek()
            if token.kind is TokenKind.AND:
                self._advance()
                items.append(self._unary(depth, token))
            elif token.kind in _TERM_STARTS:
                items.append(self._unary(depth, None))
            else:
                return _combine(And, items)

    def _unary(self, depth: int, after: Token | None) -> Node:
        token = self._peek()
        if token.kind is TokenKind.NOT:
            _check_depth(token, depth)
            self._advance()
            return Not(self._unary(depth + 1, token))
        return self._atom(depth, after)

    def _atom(self, depth: int, after: Token | None) -> Node:
        token = self._peek()
        if token.kind is TokenKind.LPAREN:
            _check_depth(token, depth)
            self._advance()
            self._open_parens += 1
            inner = self._or(depth + 1, token)
            if self._peek().kind is not TokenKind.RPAREN:
                raise SegmentQueryError(
                    "Unclosed parenthesis: add a ')'", token.position, ErrorCode.UNBALANCED_PAREN
                )
            self._advance()
            self._open_parens -= 1
            return inner
        if token.kind in (TokenKind.WORD, TokenKind.PHRASE):
            self._count_term(token)
            text = token.value.strip()
            if not text:
                raise SegmentQueryError(
                    "Empty quotes match nothing: put words between them or remove them",
                    token.position,
                    ErrorCode.INVALID_VALUE,
                )
            self._advance()
            return Term(text, token.position)
        if token.kind is TokenKind.FIELD:
            self._count_term(token)
            term = _field_term(token)
            self._advance()
            return term
        raise self._expected_term(token, after)

    def _count_term(self, token: Token) -> None:
        self._terms += 1
        if self._terms > MAX_TERMS:
            raise SegmentQueryError(
                f"The query has more than {MAX_TERMS} search terms; split it into smaller segments",
                token.position,
                ErrorCode.TOO_MANY_TERMS,
            )

    def _expected_term(self, token: Token, after: Token | None) -> SegmentQueryError:
        """The error for ``token`` standing where a search term must be."""
        if token.kind is TokenKind.EOF:
            if after is not None and after.kind is TokenKind.LPAREN:
                return SegmentQueryError(
                    "Unclosed parenthesis: add a ')'", after.position, ErrorCode.UNBALANCED_PAREN
                )
            where = f" after '{_describe(after)}'" if after is not None else ""
            return SegmentQueryError(
                f"Expected a search term{where}", token.position, ErrorCode.UNEXPECTED_END
            )
        if token.kind is TokenKind.RPAREN:
            if self._open_parens == 0:
                return SegmentQueryError(
                    "Closing parenthesis ')' has no matching '('",
                    token.position,
                    ErrorCode.UNBALANCED_PAREN,
                )
            if after is not None and after.kind is TokenKind.LPAREN:
                return SegmentQueryError(
                    "Empty parentheses: put a search term between them",
                    token.position,
                    ErrorCode.UNEXPECTED_TOKEN,
                )
        if after is None:
            message = f"'{_describe(token)}' needs a search term before it"
        else:
            message = (
                f"Expected a search term after '{_describe(after)}', found '{_describe(token)}'"
            )
        return SegmentQueryError(message, token.position, ErrorCode.UNEXPECTED_TOKEN)


def _check_depth(token: Token, depth: int) -> None:
    if depth + 1 > MAX_DEPTH:
        raise SegmentQueryError(
            f"The query is nested too deeply: at most {MAX_DEPTH} levels of "
            "parentheses and NOT are allowed",
            token.position,
            ErrorCode.NESTING_TOO_DEEP,
        )


def _describe(token: Token) -> str:
    """How a token is named in a message: keywords in capitals, long text shortened."""
    if token.kind in (TokenKind.AND, TokenKind.OR, TokenKind.NOT):
        return token.text.upper()
    return token.text if len(token.text) <= 30 else token.text[:30] + "…"


def _combine(kind: type[And] | type[Or], items: Sequence[Node]) -> Node:
    """One node for ``items`` joined by ``kind``, splicing in nested nodes of that kind."""
    flat: list[Node] = []
    for item in items:
        if isinstance(item, kind):
            flat.extend(item.items)
        else:
            flat.append(item)
    return flat[0] if len(flat) == 1 else kind(tuple(flat))


# --- field validation ---------------------------------------------------------------


def _field_term(token: Token) -> FieldTerm:
    """Validate a FIELD token: field name, then operator, then value."""
    name = token.field.lower()
    if name not in FIELDS:
        raise SegmentQueryError(
            f"Unknown field '{token.field}' (known: {', '.join(FIELDS)})."
            f"{did_you_mean(name, FIELDS)}"
            " To search for the text itself, put it in double quotes.",
            token.position,
            ErrorCode.UNKNOWN_FIELD,
        )
    value = token.value if token.has_value else ""
    parsed = validate_field_value(
        name, token.op, value, token.value_position, op_position=token.op_position
    )
    return FieldTerm(name, token.op, token.value, token.position, parsed)


# --- canonical rendering ------------------------------------------------------------


def to_query_text(node: Node | None) -> str:
    """Render a tree as canonical query text (``""`` for ``None``).

    Canonical form: lower-case field names, ``-`` for NOT, juxtaposition for AND,
    `` OR `` between alternatives, parentheses only where precedence needs them, and
    double quotes (with ``\\"`` and ``\\\\`` escapes) only where a bare word would not
    read back the same. Values keep their original spelling.
    """
    return "" if node is None else _render(node)


def _render(node: Node) -> str:
    if isinstance(node, Term):
        return _render_word(node.text)
    if isinstance(node, FieldTerm):
        return f"{node.field}:{node.op or ''}{_render_value(node.value)}"
    if isinstance(node, Not):
        body = _render(node.item)
        return f"-({body})" if isinstance(node.item, And | Or) else f"-{body}"
    if isinstance(node, And):
        return " ".join(
            f"({_render(item)})" if isinstance(item, And | Or) else _render(item)
            for item in node.items
        )
    return " OR ".join(
        f"({_render(item)})" if isinstance(item, Or) else _render(item) for item in node.items
    )


def _bare_safe(text: str) -> bool:
    return bool(text) and not any(is_delimiter(char) for char in text)


def _render_word(text: str) -> str:
    if (
        _bare_safe(text)
        and not text.startswith("-")
        and ":" not in text
        and "：" not in text
        and text.casefold() not in KEYWORDS
    ):
        return text
    return _quote(text)


def _render_value(value: str) -> str:
    if _bare_safe(value) and value[0] not in "<>":
        return value
    return _quote(value)


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
