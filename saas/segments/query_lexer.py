"""Tokenizer of the segment query language.

Lexical rules (positions are 0-based code-point offsets into the query):

* Whitespace is anything ``str.isspace`` accepts, including the ideographic space
  U+3000 that Chinese input methods type.
* ``(`` and ``)`` are parentheses; ``-`` at the start of a token is a negation.
* ``"..."`` is a quoted string; inside it ``\\"`` is a quote and ``\\\\`` a backslash
  (any other backslash is kept as is). Chinese curly quotes ``“...”`` work the same
  way (escape the closing ``”``).
* Any other run of characters up to whitespace, a parenthesis or a quote is a bare
  word. A bare word ``AND``, ``OR`` or ``NOT`` (any case) is a keyword.
* A bare word that starts with an ASCII identifier and a colon (``:`` or the
  full-width ``：``) is a field term: ``name:`` then an optional comparison (``>=``,
  ``<=``, ``>``, ``<``) then a value, which is a bare run (colons allowed) or a quoted
  string, and must follow immediately. A colon after anything else (``上海:x``,
  ``:x``) is just part of a bare word.

The lexer is lazy (:meth:`Lexer.next_token`), so the parser reports the first
problem in reading order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from saas.segments.query_ast import COMPARISONS, Comparison, ErrorCode, SegmentQueryError


class TokenKind(Enum):
    """What a token is."""

    WORD = "word"
    PHRASE = "phrase"
    FIELD = "field"
    LPAREN = "("
    RPAREN = ")"
    AND = "AND"
    OR = "OR"
    NOT = "NOT"
    EOF = "end"


@dataclass(frozen=True, slots=True)
class Token:
    """One token. ``text`` is the raw source slice, starting at ``position``.

    WORD/PHRASE: ``value`` is the decoded text. FIELD: ``field`` is the name as
    typed, ``op``/``op_position`` the comparison if any, ``value``/``value_position``
    the value, and ``has_value`` is false when nothing valid follows the colon (the
    parser then reports a missing value at ``value_position``).
    """

    kind: TokenKind
    text: str
    position: int
    value: str = ""
    field: str = ""
    op: Comparison | None = None
    op_position: int = -1
    value_position: int = -1
    has_value: bool = False

    @property
    def end(self) -> int:
        """Offset just past the token."""
        return self.position + len(self.text)


KEYWORDS: dict[str, TokenKind] = {
    "and": TokenKind.AND,
    "or": TokenKind.OR,
    "not": TokenKind.NOT,
}

QUOTE_PAIRS: dict[str, str] = {'"': '"', "“": "”"}
"""Opening quote -> closing quote."""

_QUOTE_CHARS = frozenset('"“”')
_FIELD_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*[:：]")


def is_delimiter(char: str) -> bool:
    """Whether ``char`` ends a bare word."""
    return char.isspace() or char in "()" or char in _QUOTE_CHARS


class Lexer:
    """Turns a query into tokens on demand; raises :class:`SegmentQueryError`."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._pos = 0

    def next_token(self) -> Token:
        """The next token; ``EOF`` (at ``len(text)``) forever once the text is used up."""
        text = self.text
        pos = self._pos
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            self._pos = len(text)
            return Token(TokenKind.EOF, "", len(text))
        char = text[pos]
        if char == "(":
            return self._emit(Token(TokenKind.LPAREN, char, pos))
        if char == ")":
            return self._emit(Token(TokenKind.RPAREN, char, pos))
        if char == "-":
            return self._emit(Token(TokenKind.NOT, char, pos))
        if char in QUOTE_PAIRS:
            value, end = self._read_quoted(pos)
            return self._emit(Token(TokenKind.PHRASE, text[pos:end], pos, value=value))
        if char == "”":
            raise SegmentQueryError(
                "Closing quote ” without an opening “", pos, ErrorCode.UNEXPECTED_TOKEN
            )
        end = self._bare_end(pos)
        word = text[pos:end]
        match = _FIELD_RE.match(word)
        if match is not None:
            return self._field(pos, pos + match.end())
        kind = KEYWORDS.get(word.casefold(), TokenKind.WORD)
        return self._emit(Token(kind, word, pos, value=word))

    def _emit(self, token: Token) -> Token:
        self._pos = token.end
        return token

    def _bare_end(self, start: int) -> int:
        end = start
        while end < len(self.text) and not is_delimiter(self.text[end]):
            end += 1
        return end

    def _read_quoted(self, start: int) -> tuple[str, int]:
        """Decode the quoted string opening at ``start``; return it and its end offset."""
        text = self.text
        closer = QUOTE_PAIRS[text[start]]
        parts: list[str] = []
        pos = start + 1
        while pos < len(text):
            char = text[pos]
            if char == "\\" and pos + 1 < len(text) and text[pos + 1] in (closer, "\\"):
                parts.append(text[pos + 1])
                pos += 2
            elif char == closer:
                return "".join(parts), pos + 1
            else:
                parts.append(char)
                pos += 1
        raise SegmentQueryError(
            f"Unterminated quoted string: add a closing {closer}",
            start,
            ErrorCode.UNTERMINATED_QUOTE,
        )

    def _field(self, start: int, after_colon: int) -> Token:
        text = self.text
        name = text[start : after_colon - 1]
        pos = after_colon
        op: Comparison | None = None
        op_position = -1
        for candidate in COMPARISONS:
            if text.startswith(candidate, pos):
                op = candidate
                op_position = pos
                pos += len(candidate)
                break
        value_position = pos
        if pos < len(text) and text[pos] in QUOTE_PAIRS:
            value, end = self._read_quoted(pos)
            has_value = True
        else:
            end = self._bare_end(pos)
            value = text[pos:end]
            has_value = end > pos
        return self._emit(
            Token(
                TokenKind.FIELD,
                text[start:end],
                start,
                value=value,
                field=name,
                op=op,
                op_position=op_position,
                value_position=value_position,
                has_value=has_value,
            )
        )


def tokenize(text: str) -> list[Token]:
    """All tokens of ``text``, ending with one ``EOF`` token."""
    lexer = Lexer(text)
    tokens = [lexer.next_token()]
    while tokens[-1].kind is not TokenKind.EOF:
        tokens.append(lexer.next_token())
    return tokens
