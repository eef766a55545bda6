"""Tests of the segment query language parser (no Flask, no database)."""

from __future__ import annotations

import dataclasses
import random

import pytest

from saas.segments import codes
from saas.segments.query import parse_segment_query, to_query_text
from saas.segments.query_ast import (
    COMPARISON_FIELDS,
    FIELDS,
    MAX_DEPTH,
    MAX_QUERY_LENGTH,
    MAX_TERMS,
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
    validate_field_value,
    walk,
)
from saas.segments.query_lexer import TokenKind, tokenize


def parse(text: str) -> Node:
    node = parse_segment_query(text)
    assert node is not None
    return node


def field(name: str, value: str, op: str | None = None) -> FieldTerm:
    """A validated field term as the parser builds it (position is not compared)."""
    return FieldTerm(name, op, value, 0, validate_field_value(name, op, value))  # type: ignore[arg-type]


def error_of(text: str) -> SegmentQueryError:
    with pytest.raises(SegmentQueryError) as caught:
        parse_segment_query(text)
    return caught.value


# --- the contract example -------------------------------------------------------------

CONTRACT_EXAMPLE = (
    "reason:project_wrapup match:high value:flexibility last_contact:>180d -status:do_not_contact"
)


def test_contract_example() -> None:
    node = parse(CONTRACT_EXAMPLE)
    assert node == And(
        (
            FieldTerm("reason", None, "project_wrapup", parsed=Code("project_wrapup")),
            FieldTerm("match", None, "high", parsed=MatchLevel.HIGH),
            FieldTerm("value", None, "flexibility", parsed=Code("flexibility")),
            FieldTerm("last_contact", ">", "180d", parsed=DurationDays(">", 180)),
            Not(FieldTerm("status", None, "do_not_contact", parsed=Code("do_not_contact"))),
        )
    )
    assert isinstance(node, And)
    assert [n.position for n in node.items if isinstance(n, FieldTerm)] == [0, 22, 33, 51]
    negated = node.items[4]
    assert isinstance(negated, Not) and isinstance(negated.item, FieldTerm)
    assert negated.item.position == 71
    assert to_query_text(node) == CONTRACT_EXAMPLE


@pytest.mark.parametrize("text", ["", " ", "   \t\n", "\u3000", " \u3000 "])
def test_empty_query_means_everything(text: str) -> None:
    assert parse_segment_query(text) is None
    assert to_query_text(None) == ""


def test_non_string_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        parse_segment_query(None)  # type: ignore[arg-type]


# --- precedence, grouping, keywords ---------------------------------------------------

A, B, C, D = Term("a"), Term("b"), Term("c"), Term("d")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a", A),
        ("a b", And((A, B))),
        ("a AND b", And((A, B))),
        ("a AND b c", And((A, B, C))),
        ("a OR b", Or((A, B))),
        ("a b OR c", Or((And((A, B)), C))),
        ("a OR b c", Or((A, And((B, C))))),
        ("a AND b OR c AND d", Or((And((A, B)), And((C, D))))),
        ("a OR b OR c", Or((A, B, C))),
        ("NOT a b", And((Not(A), B))),
        ("-a b", And((Not(A), B))),
        ("-a OR b", Or((Not(A), B))),
        ("a -b", And((A, Not(B)))),
        ("NOT NOT a", Not(Not(A))),
        ("--a", Not(Not(A))),
        ("- a", Not(A)),
        ("NOT -a", Not(Not(A))),
        ("(a OR b) c", And((Or((A, B)), C))),
        ("a (b OR c)", And((A, Or((B, C))))),
        ("(a b) c", And((A, B, C))),
        ("a (b c)", And((A, B, C))),
        ("a OR (b OR c)", Or((A, B, C))),
        ("(a OR b) OR c", Or((A, B, C))),
        ("((a))", A),
        ("-(a b)", Not(And((A, B)))),
        ("NOT (a OR b)", Not(Or((A, B)))),
        ("NOT(a OR b)", Not(Or((A, B)))),
        ("-(a OR b) c", And((Not(Or((A, B))), C))),
        ("(a)(b)", And((A, B))),
        ("a OR -(b c) d", Or((A, And((Not(And((B, C))), D))))),
    ],
)
def test_precedence_and_grouping(text: str, expected: Node) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize("keyword", ["AND", "and", "And", "aNd"])
def test_and_is_case_insensitive(keyword: str) -> None:
    assert parse(f"a {keyword} b") == And((A, B))


@pytest.mark.parametrize("keyword", ["OR", "or", "Or", "oR"])
def test_or_is_case_insensitive(keyword: str) -> None:
    assert parse(f"a {keyword} b") == Or((A, B))


@pytest.mark.parametrize("keyword", ["NOT", "not", "Not", "nOt"])
def test_not_is_case_insensitive(keyword: str) -> None:
    assert parse(f"{keyword} a") == Not(A)


def test_quoted_keywords_and_hyphenated_words_are_text() -> None:
    assert parse('"and" "OR" "not"') == And((Term("and"), Term("OR"), Term("not")))
    assert parse("front-end andy orange notion") == And(
        (Term("front-end"), Term("andy"), Term("orange"), Term("notion"))
    )
    assert parse('"-x"') == Term("-x")


def test_field_names_are_case_insensitive() -> None:
    assert parse("REASON:project_wrapup") == field("reason", "project_wrapup")
    assert parse("Status:Stalled") == FieldTerm("status", None, "Stalled", parsed=Code("stalled"))


def test_keyword_words_are_values_after_a_field() -> None:
    assert parse("tag:not skill:OR") == And((field("tag", "not"), field("skill", "OR")))


def test_whitespace_of_all_kinds_separates_terms() -> None:
    assert parse("a\tb\nc\u3000d") == And((A, B, C, D))
    assert parse("  a   OR\u3000b  ") == Or((A, B))


# --- quoting, Chinese, emoji ----------------------------------------------------------


def test_quoted_values_with_spaces_and_chinese() -> None:
    node = parse('city:上海 tag:"未响应-项目收尾" tag:"vip client" "data scientist"')
    assert node == And(
        (
            field("city", "上海"),
            field("tag", "未响应-项目收尾"),
            field("tag", "vip client"),
            Term("data scientist"),
        )
    )


def test_quote_escapes() -> None:
    assert parse(r'"say \"hi\""') == Term('say "hi"')
    assert parse(r'"back\\slash"') == Term("back\\slash")
    assert parse(r'"keep \n as is"') == Term(r"keep \n as is")
    assert parse(r'tag:"a\"b"') == field("tag", 'a"b')


def test_chinese_curly_quotes_and_full_width_colon() -> None:
    assert parse("tag:“未响应 项目收尾”") == field("tag", "未响应 项目收尾")
    assert parse("“数据 分析”") == Term("数据 分析")
    assert parse("reason：project_wrapup") == field("reason", "project_wrapup")
    assert parse('“他说"好"”') == Term('他说"好"')


def test_phrase_text_is_stripped() -> None:
    assert parse('"  data  scientist "') == Term("data  scientist")


def test_colon_after_non_identifier_is_plain_text() -> None:
    assert parse("上海:浦东 :x 12:30") == And((Term("上海:浦东"), Term(":x"), Term("12:30")))


def test_emoji_and_positions_count_code_points() -> None:
    node = parse("🚀 tag:🔥hot 👩‍💻")
    assert node == And((Term("🚀"), field("tag", "🔥hot"), Term("👩‍💻")))
    assert isinstance(node, And)
    assert [item.position for item in node.items] == [0, 2, 11]  # type: ignore[union-attr]
    err = error_of("🚀🚀 foo:bar")
    assert (err.code, err.position) == ("unknown_field", 3)
    err = error_of('上海 "未闭合')
    assert (err.code, err.position) == ("unterminated_quote", 3)


def test_value_may_contain_colons_and_hyphens() -> None:
    assert parse("tag:reason:project_wrapup tag:-x") == And(
        (field("tag", "reason:project_wrapup"), field("tag", "-x"))
    )


# --- every field: valid values --------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "known"),
    [
        ("reason", codes.REASON_CODES),
        ("value", codes.VALUE_CODES),
        ("channel", codes.CHANNEL_CODES),
        ("status", codes.STATUS_CODES),
        ("signal", codes.SIGNAL_CODES),
    ],
)
def test_code_fields_accept_every_taxonomy_code(name: str, known: frozenset[str]) -> None:
    for code in sorted(known):
        assert parse(f"{name}:{code}") == FieldTerm(name, None, code, parsed=Code(code))
        assert parse(f'{name}:"{code.upper()}"').typed == Code(code)  # type: ignore[union-attr]


def test_taxonomy_code_sets() -> None:
    assert len(codes.REASON_CODES) == 13
    assert len(codes.VALUE_CODES) == 7
    assert {"email", "sms", "wechat", "linkedin", "phone"} == codes.CHANNEL_CODES
    assert "do_not_contact" in codes.STATUS_CODES and len(codes.STATUS_CODES) == 10
    assert "open_to_work" in codes.SIGNAL_CODES and len(codes.SIGNAL_CODES) == 7


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("match:high", MatchLevel.HIGH),
        ("match:Medium", MatchLevel.MEDIUM),
        ("match:LOW", MatchLevel.LOW),
        ("match:>=80", ScoreBound(">=", 80)),
        ("match:>60", ScoreBound(">", 60)),
        ("match:<=100", ScoreBound("<=", 100)),
        ("match:<0", ScoreBound("<", 0)),
        ("match:>=０８０", ScoreBound(">=", 80)),
        ('match:>="75"', ScoreBound(">=", 75)),
        ("tag:vip", Text("vip")),
        ('tag:" vip "', Text("vip")),
        ("skill:pmp", Text("pmp")),
        ("skill:C++", Text("C++")),
        ("city:上海", Text("上海")),
        ('city:"San Francisco"', Text("San Francisco")),
        ("last_contact:>180d", DurationDays(">", 180)),
        ("last_contact:>=2w", DurationDays(">=", 14)),
        ("last_contact:>6m", DurationDays(">", 180)),
        ("last_contact:>6M", DurationDays(">", 180)),
        ("last_contact:<30", DurationDays("<", 30)),
        ("last_contact:>0d", DurationDays(">", 0)),
        ("last_contact:>3天", DurationDays(">", 3)),
        ("last_contact:>2周", DurationDays(">", 14)),
        ("last_contact:>6个月", DurationDays(">", 180)),
        ("last_contact:>１８０ｄ", DurationDays(">", 180)),
        ("contract_end:<90d", DurationDays("<", 90)),
        ("contract_end:<=3m", DurationDays("<=", 90)),
        ("contract_end:<36500d", DurationDays("<", 36500)),
        ("follow_up:due", FollowUp.DUE),
        ("follow_up:DUE", FollowUp.DUE),
        ("owner:me", OwnerMe()),
        ("owner:Me", OwnerMe()),
        ("owner:li.na@acme.example", OwnerEmail("li.na@acme.example")),
        ("owner:Li.Na@ACME.example", OwnerEmail("li.na@acme.example")),
    ],
)
def test_field_values_are_typed(text: str, parsed: object) -> None:
    node = parse(text)
    assert isinstance(node, FieldTerm)
    assert node.typed == parsed
    assert node.position == 0


def test_field_term_keeps_raw_value_and_op() -> None:
    node = parse('match:>=80 tag:"未响应-项目收尾"')
    assert isinstance(node, And)
    first, second = node.items
    assert isinstance(first, FieldTerm) and isinstance(second, FieldTerm)
    assert (first.field, first.op, first.value) == ("match", ">=", "80")
    assert (second.field, second.op, second.value) == ("tag", None, "未响应-项目收尾")


def test_match_level_score_ranges() -> None:
    assert MatchLevel.HIGH.score_range == (80, None)
    assert MatchLevel.MEDIUM.score_range == (60, 80)
    assert MatchLevel.LOW.score_range == (None, 60)


def test_every_field_is_covered() -> None:
    assert set(FIELDS) == {
        "reason", "value", "match", "tag", "status", "channel", "skill", "signal",
        "city", "last_contact", "contract_end", "follow_up", "owner",
    }  # fmt: skip
    assert set(COMPARISON_FIELDS) == {"match", "last_contact", "contract_end"}


# --- every field: invalid values ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "position", "fragment"),
    [
        ("reason:xyz", 7, "Unknown reason 'xyz'"),
        ("reason:project_wrap", 7, "Did you mean 'project_wrapup'?"),
        ("value:money", 6, "Unknown value 'money'"),
        ("channel:fax", 8, "Unknown channel 'fax'"),
        ("status:gone", 7, "Unknown status 'gone'"),
        ("signal:new_job", 7, "Unknown signal 'new_job'"),
        ("match:great", 6, "'match' needs high, medium, low or a score such as >=80"),
        ("match:80", 6, "'match' needs high, medium, low or a score such as >=80"),
        ("match:>=high", 8, "'match' needs high, medium, low or a score such as >=80"),
        ("match:>=80.5", 8, "'match' needs high"),
        ("match:>=101", 8, "from 0 to 100"),
        ("match:>-5", 7, "'match' needs high"),
        ("last_contact:180d", 13, "'last_contact' needs a comparison"),
        ("last_contact:>soon", 14, "days (d), weeks (w) or months (m)"),
        ("last_contact:>180y", 14, "days (d), weeks (w) or months (m)"),
        ("last_contact:>-3d", 14, "days (d), weeks (w) or months (m)"),
        ("contract_end:<1217m", 14, "goes up to 36500 days"),
        ("contract_end:90d", 13, "such as contract_end:<90d"),
        ("follow_up:overdue", 10, "'follow_up' only takes 'due'"),
        ("owner:bob", 6, "'owner' needs me or an e-mail address"),
        ("owner:a@b@c", 6, "'owner' needs me"),
        ("x tag:ok owner:@acme.example", 15, "'owner' needs me"),
    ],
)
def test_invalid_field_values(text: str, position: int, fragment: str) -> None:
    err = error_of(text)
    assert err.code == "invalid_value"
    assert err.position == position
    assert fragment in err.message


@pytest.mark.parametrize("name", sorted(set(FIELDS) - COMPARISON_FIELDS))
@pytest.mark.parametrize("op", [">=", "<=", ">", "<"])
def test_operators_only_on_comparison_fields(name: str, op: str) -> None:
    err = error_of(f"a {name}:{op}x")
    assert err.code == "invalid_value"
    assert err.position == 2 + len(name) + 1
    assert f"'{name}' cannot be compared with '{op}'" in err.message


def test_quoted_operator_is_part_of_a_text_value() -> None:
    assert parse('tag:">5"') == field("tag", ">5")


@pytest.mark.parametrize("name", FIELDS)
def test_every_field_needs_a_value(name: str) -> None:
    for text, position in ((f"{name}:", len(name) + 1), (f'{name}:"  " a', len(name) + 1)):
        err = error_of(text)
        assert (err.code, err.position) == ("missing_value", position)
        assert err.message == f"Expected a value after '{name}:'"


# --- every error code with its position -----------------------------------------------


@pytest.mark.parametrize(
    ("text", "code", "position"),
    [
        ("foo:bar", "unknown_field", 0),
        ("a OR Reson:x", "unknown_field", 5),
        ("reason:", "missing_value", 7),
        ("reason: project_wrapup", "missing_value", 7),
        ("reason:(x)", "missing_value", 7),
        ("match:>", "missing_value", 7),
        ("match:>= 80", "missing_value", 8),
        ("(a OR b", "unbalanced_paren", 0),
        ("x ((a) b", "unbalanced_paren", 2),
        ("(", "unbalanced_paren", 0),
        ("a)", "unbalanced_paren", 1),
        (")", "unbalanced_paren", 0),
        ("(a) b) c", "unbalanced_paren", 5),
        ('"abc', "unterminated_quote", 0),
        ('a "b" "c', "unterminated_quote", 6),
        ('tag:"vip', "unterminated_quote", 4),
        ('"a\\"', "unterminated_quote", 0),
        ("“abc", "unterminated_quote", 0),
        ("a ” b", "unexpected_token", 2),
        ("()", "unexpected_token", 1),
        ("a ( ) b", "unexpected_token", 4),
        ("AND a", "unexpected_token", 0),
        ("OR a", "unexpected_token", 0),
        ("a AND OR b", "unexpected_token", 6),
        ("a OR OR b", "unexpected_token", 5),
        ("(a OR ) b", "unexpected_token", 6),
        ("NOT OR a", "unexpected_token", 4),
        ("a OR", "unexpected_end", 4),
        ("a AND  ", "unexpected_end", 7),
        ("NOT", "unexpected_end", 3),
        ("a -", "unexpected_end", 3),
        ("(a OR", "unexpected_end", 5),
        ('""', "invalid_value", 0),
        ('a "   "', "invalid_value", 2),
        ("reason:nope", "invalid_value", 7),
        ("status:>stalled", "invalid_value", 7),
    ],
)
def test_error_codes_and_positions(text: str, code: str, position: int) -> None:
    err = error_of(text)
    assert (err.code, err.position) == (code, position)
    assert err.code in {c.value for c in ErrorCode}
    assert 0 <= err.position <= len(text)
    assert err.message and str(err) == err.message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("(a OR b", "Unclosed parenthesis: add a ')'"),
        ("a)", "Closing parenthesis ')' has no matching '('"),
        ('"abc', 'Unterminated quoted string: add a closing "'),
        ("a OR", "Expected a search term after 'OR'"),
        ("a or", "Expected a search term after 'OR'"),
        ("a -", "Expected a search term after '-'"),
        ("a AND OR b", "Expected a search term after 'AND', found 'OR'"),
        ("AND a", "'AND' needs a search term before it"),
        ("()", "Empty parentheses: put a search term between them"),
        ("reason:", "Expected a value after 'reason:'"),
        ("match:>=", "Expected a value after 'match:>='"),
        ("match:top", "'match' needs high, medium, low or a score such as >=80"),
    ],
)
def test_error_messages(text: str, message: str) -> None:
    assert error_of(text).message == message


def test_unknown_field_message_lists_fields_and_suggests() -> None:
    err = error_of("foo:bar")
    assert err.message.startswith(
        "Unknown field 'foo' (known: reason, value, match, tag, status, channel, skill, "
        "signal, city, last_contact, contract_end, follow_up, owner)."
    )
    assert "double quotes" in err.message
    assert "Did you mean" not in err.message
    assert "Did you mean 'reason'?" in error_of("reasn:x").message
    assert "Did you mean 'last_contact'?" in error_of("last_contacts:>3d").message


def test_first_problem_in_reading_order_wins() -> None:
    err = error_of('foo:bar "unterminated')
    assert (err.code, err.position) == ("unknown_field", 0)
    err = error_of("reason:xyz (a OR")
    assert (err.code, err.position) == ("invalid_value", 7)


def test_error_to_dict_and_repr() -> None:
    err = error_of("a)")
    assert err.to_dict() == {
        "code": "unbalanced_paren",
        "message": "Closing parenthesis ')' has no matching '('",
        "position": 1,
    }
    assert "unbalanced_paren" in repr(err)


# --- limits ---------------------------------------------------------------------------


def test_query_length_limit() -> None:
    longest = "x" * MAX_QUERY_LENGTH
    assert parse(longest) == Term(longest)
    err = error_of("x" * (MAX_QUERY_LENGTH + 1))
    assert (err.code, err.position) == ("query_too_long", MAX_QUERY_LENGTH)
    assert "too long" in err.message
    assert error_of(" " * 5000).code == "query_too_long"


def test_nesting_limit_with_parentheses() -> None:
    ok = "(" * MAX_DEPTH + "a" + ")" * MAX_DEPTH
    assert parse(ok) == A
    too_deep = "(" * (MAX_DEPTH + 1) + "a" + ")" * (MAX_DEPTH + 1)
    err = error_of(too_deep)
    assert (err.code, err.position) == ("nesting_too_deep", MAX_DEPTH)
    assert "nested too deeply" in err.message


def test_nesting_limit_with_negation() -> None:
    assert parse("-" * MAX_DEPTH + "a") is not None
    err = error_of("-" * (MAX_DEPTH + 1) + "a")
    assert (err.code, err.position) == ("nesting_too_deep", MAX_DEPTH)
    err = error_of("NOT " * (MAX_DEPTH + 1) + "a")
    assert (err.code, err.position) == ("nesting_too_deep", 4 * MAX_DEPTH)
    mixed = "-(" * 10 + "-a" + ")" * 10
    err = error_of(mixed)
    assert (err.code, err.position) == ("nesting_too_deep", 20)


def test_deep_negation_within_length_limit_does_not_crash() -> None:
    err = error_of("-" * 1999 + "a")
    assert err.code == "nesting_too_deep"


def test_term_limit() -> None:
    ok = " ".join(f"w{i}" for i in range(MAX_TERMS))
    node = parse(ok)
    assert isinstance(node, And) and len(node.items) == MAX_TERMS
    too_many = ok + " tag:last"
    err = error_of(too_many)
    assert (err.code, err.position) == ("too_many_terms", len(ok) + 1)
    assert str(MAX_TERMS) in err.message
    mixed = " OR ".join(["(a -b)"] * 50) + " c"
    assert error_of(mixed).code == "too_many_terms"


# --- the AST itself -------------------------------------------------------------------


def test_nodes_are_frozen_and_hashable() -> None:
    node = parse("a (b OR c) tag:x")
    with pytest.raises(dataclasses.FrozenInstanceError):
        node.items = ()  # type: ignore[misc, union-attr]
    assert hash(node) == hash(parse("a   (b or c)  tag:x"))
    assert len({node, parse("a (b OR c) tag:x")}) == 1


def test_positions_do_not_affect_equality() -> None:
    assert Term("a", 0) == Term("a", 9)
    assert parse("a b") == parse("   a    b")


def test_and_or_need_two_items_and_accept_lists() -> None:
    with pytest.raises(ValueError):
        And((A,))
    with pytest.raises(ValueError):
        Or(())
    built = And([A, B])  # type: ignore[arg-type]
    assert built.items == (A, B)
    assert isinstance(built.items, tuple)


def test_unvalidated_field_term_has_no_typed_value() -> None:
    term = FieldTerm("tag", None, "x")
    with pytest.raises(ValueError):
        _ = term.typed


def test_validate_field_value_directly() -> None:
    assert validate_field_value("Match", ">=", "80") == ScoreBound(">=", 80)
    with pytest.raises(SegmentQueryError) as caught:
        validate_field_value("nope", None, "x", 5)
    assert (caught.value.code, caught.value.position) == ("unknown_field", 5)
    with pytest.raises(SegmentQueryError) as caught:
        validate_field_value("tag", ">", "x", 5, op_position=4)
    assert (caught.value.code, caught.value.position) == ("invalid_value", 4)


def test_walk_visits_every_node_in_order() -> None:
    node = parse("a -(b OR tag:c)")
    kinds = [type(n).__name__ for n in walk(node)]
    assert kinds == ["And", "Term", "Not", "Or", "Term", "FieldTerm"]
    assert list(walk(None)) == []


def test_tokenizer() -> None:
    tokens = tokenize('a AND -(tag:>"x y") or "p"')
    assert [t.kind for t in tokens] == [
        TokenKind.WORD, TokenKind.AND, TokenKind.NOT, TokenKind.LPAREN, TokenKind.FIELD,
        TokenKind.RPAREN, TokenKind.OR, TokenKind.PHRASE, TokenKind.EOF,
    ]  # fmt: skip
    field_token = tokens[4]
    assert (field_token.field, field_token.op, field_token.value) == ("tag", ">", "x y")
    assert (field_token.position, field_token.op_position, field_token.value_position) == (
        8,
        12,
        13,
    )
    assert field_token.text == 'tag:>"x y"'
    assert tokens[-1].position == len('a AND -(tag:>"x y") or "p"')


# --- canonical rendering --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("a AND b", "a b"),
        ("a and b or not c", "a b OR -c"),
        ("NOT (a OR b)", "-(a OR b)"),
        ("(a OR b) (c OR d)", "(a OR b) (c OR d)"),
        ("((a b)) OR c", "a b OR c"),
        ("REASON：project_wrapup", "reason:project_wrapup"),
        ("tag:“vip client”", 'tag:"vip client"'),
        ('"and" "x:y" "-z" "a\\"b"', '"and" "x:y" "-z" "a\\"b"'),
        ('tag:"<x" tag:"(" tag:x\\y', 'tag:"<x" tag:"(" tag:x\\y'),
        ('"single"', "single"),
        ('match:>="80"', "match:>=80"),
        ("--a", "--a"),
    ],
)
def test_to_query_text_is_canonical(text: str, canonical: str) -> None:
    node = parse(text)
    assert to_query_text(node) == canonical
    assert parse(canonical) == node


def test_to_query_text_of_hand_built_trees() -> None:
    tree = Or((And((Term("data scientist"), Not(Or((A, B))))), field("city", "北京")))
    assert to_query_text(tree) == '"data scientist" -(a OR b) OR city:北京'
    assert to_query_text(And((A, And((B, C))))) == "a (b c)"
    assert to_query_text(Or((A, Or((B, C))))) == "a OR (b OR c)"


# --- property-style round trips -------------------------------------------------------

_FREE_WORDS = ["java", "PMP", "数据", "上海", "🚀", "café", "front-end", "C++", "研发经理", "α"]
_PHRASE_BITS = ["data", "scientist", "and", "OR", "-x", "a:b", "未响应", "🔥", '"', "\\", "(", ")"]
_TEXT_VALUES = ["vip", "未响应-项目收尾", "偏好-团队氛围", "老客户", "a b", "x:y", "🔥hot", "(x)"]
_SPACES = [" ", "  ", "\u3000", "\t", "\n", " \u3000 "]


def _quote(text: str, rng: random.Random) -> str:
    if rng.random() < 0.2 and "”" not in text and "\\" not in text:
        return "“" + text + "”"
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _case(word: str, rng: random.Random) -> str:
    return "".join(c.upper() if rng.random() < 0.5 else c.lower() for c in word)


def _field_text(rng: random.Random) -> str:
    name = rng.choice(FIELDS)
    op = ""
    code_sets = {
        "reason": codes.REASON_CODES,
        "value": codes.VALUE_CODES,
        "channel": codes.CHANNEL_CODES,
        "status": codes.STATUS_CODES,
        "signal": codes.SIGNAL_CODES,
    }
    if name in code_sets:
        value = rng.choice(sorted(code_sets[name]))
        value = value.upper() if rng.random() < 0.2 else value
    elif name == "match":
        if rng.random() < 0.5:
            value = rng.choice(["high", "medium", "low", "High"])
        else:
            op, value = rng.choice([">=", "<=", ">", "<"]), str(rng.randint(0, 100))
    elif name in ("last_contact", "contract_end"):
        op = rng.choice([">=", "<=", ">", "<"])
        value = f"{rng.randint(0, 400)}{rng.choice(['d', 'w', 'm', '', '天', '周'])}"
    elif name == "follow_up":
        value = rng.choice(["due", "DUE"])
    elif name == "owner":
        value = rng.choice(["me", "li.na@acme.example", "Bob@Example.COM"])
    else:
        value = rng.choice(_TEXT_VALUES)
    needs_quotes = any(c in value for c in " ()") or rng.random() < 0.2
    rendered = _quote(value, rng) if needs_quotes else value
    colon = "：" if rng.random() < 0.1 else ":"
    return f"{_case(name, rng) if rng.random() < 0.2 else name}{colon}{op}{rendered}"


class _QueryGenerator:
    """Random valid query text, kept within the term and depth limits."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.budget = 60

    def query(self, depth: int) -> str:
        count = 1 if self.budget < 10 else self.rng.choice([1, 1, 2, 3])
        joiner = self.rng.choice(_SPACES) + _case("or", self.rng) + self.rng.choice(_SPACES)
        return joiner.join(self.conjunction(depth) for _ in range(count))

    def conjunction(self, depth: int) -> str:
        count = 1 if self.budget < 10 else self.rng.choice([1, 2, 2, 3])
        parts = [self.unary(depth) for _ in range(count)]
        out = parts[0]
        for part in parts[1:]:
            if self.rng.random() < 0.3:
                out += self.rng.choice(_SPACES) + _case("and", self.rng)
            out += self.rng.choice(_SPACES) + part
        return out

    def unary(self, depth: int) -> str:
        if depth < 6 and self.rng.random() < 0.2:
            if self.rng.random() < 0.5:
                return "-" + self.unary(depth + 1)
            return _case("not", self.rng) + self.rng.choice(_SPACES) + self.unary(depth + 1)
        return self.atom(depth)

    def atom(self, depth: int) -> str:
        if depth < 6 and self.budget >= 10 and self.rng.random() < 0.2:
            inner = self.query(depth + 1)
            return "(" + self.rng.choice(["", " "]) + inner + self.rng.choice(["", " "]) + ")"
        self.budget -= 1
        roll = self.rng.random()
        if roll < 0.45:
            return _field_text(self.rng)
        if roll < 0.75:
            return self.rng.choice(_FREE_WORDS)
        bits = [self.rng.choice(_PHRASE_BITS) for _ in range(self.rng.randint(1, 3))]
        return _quote(" ".join(bits), self.rng)


def _check_round_trip(text: str, node: Node) -> None:
    canonical = to_query_text(node)
    again = parse_segment_query(canonical)
    assert again == node, (text, canonical)
    assert to_query_text(again) == canonical


def test_round_trip_of_random_valid_queries() -> None:
    rng = random.Random(20240611)
    for _ in range(400):
        text = _QueryGenerator(rng).query(0)
        node = parse_segment_query(text)
        assert node is not None, text
        _check_round_trip(text, node)
        for item in walk(node):
            if isinstance(item, FieldTerm):
                assert text[item.position :].lower().startswith(item.field), (text, item)
                assert item.parsed is not None


def _random_text(rng: random.Random) -> str:
    alphabet = 'ab上🔥 \u3000"“”\\-:：()<>=AND'
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 10))).strip() or "x"


def test_round_trip_of_random_trees() -> None:
    """Hand-built, normalized trees with awkward text survive render -> parse."""
    rng = random.Random(7)

    def tree(depth: int) -> Node:
        roll = rng.random()
        if depth < 3 and roll < 0.2:
            return And(tuple(tree_not(depth + 1, And) for _ in range(rng.randint(2, 3))))
        if depth < 3 and roll < 0.4:
            return Or(tuple(tree_not(depth + 1, Or) for _ in range(rng.randint(2, 3))))
        if depth < 3 and roll < 0.5:
            return Not(tree(depth + 1))
        if rng.random() < 0.5:
            return Term(_random_text(rng))
        raw = rng.choice(["", " "]) + _random_text(rng) + rng.choice(["", " "])
        name = rng.choice(["tag", "skill", "city"])
        return FieldTerm(name, None, raw, parsed=validate_field_value(name, None, raw))

    def tree_not(depth: int, parent: type[And] | type[Or]) -> Node:
        while True:
            node = tree(depth)
            if not isinstance(node, parent):
                return node

    for _ in range(400):
        node = tree(0)
        assert parse_segment_query(to_query_text(node)) == node, to_query_text(node)


def test_random_input_never_crashes() -> None:
    """Any text either parses (and then round-trips) or fails with a positioned error."""
    rng = random.Random(99)
    pieces = [
        "a", "上海", "🔥", " ", "\u3000", '"', "“", "”", "\\", "-", ":", "：", "(", ")",
        "<", ">=", "AND", "or", "NOT", "reason:", "match:", "tag:", "owner:", "foo:",
        "last_contact:", "180d", "high", "project_wrapup", "me",
    ]  # fmt: skip
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 12)))
        try:
            node = parse_segment_query(text)
        except SegmentQueryError as err:
            assert 0 <= err.position <= len(text), (text, err)
            assert err.code in {c.value for c in ErrorCode}
            assert err.message
            continue
        if node is not None:
            _check_round_trip(text, node)
