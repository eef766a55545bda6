"""The segment compiler against real rows: every field, NOT, NULLs, owners, tenants."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from flask import Flask

from saas.extensions import db
from saas.segments.compiler import candidate_filter, select_candidates
from saas.segments.query import parse_segment_query
from saas.segments.query_ast import ErrorCode, SegmentQueryError
from saas.tenancy.context import tenant_context
from tests.segments.conftest import TODAY, People

Z, A, B, L, W, ZH = "张伟", "Alice Smith", "Bob Lee", "Li Na", "Wang Fang", "Zhao Lei"
EVERYONE = {Z, A, B, L, W, ZH}


def names(app: Flask, people: People, query: str | None, role: str = "recruiter") -> set[str]:
    with app.app_context(), tenant_context(people.tenant.id):
        user_id = people.tenant.users[role] if role else None
        rows = db.session.scalars(select_candidates(query, today=TODAY, user_id=user_id)).all()
        found_ids = {row.id for row in rows}
        assert found_ids <= set(people.ids.values()), "another tenant's candidate leaked"
        return {row.name for row in rows}


CASES: list[tuple[str, set[str]]] = [
    # reason / value: candidate_tags, manual and inferred alike
    ("reason:project_wrapup", {Z, L}),
    ("-reason:project_wrapup", {A, B, W, ZH}),
    ("reason:counter_offer", {A}),
    ("value:flexibility", {Z, W}),
    ("NOT value:flexibility", {A, B, L, ZH}),
    # channel: the preferred_channel column (Alice only has an inferred wechat tag)
    ("channel:wechat", {Z}),
    ("-channel:wechat", {A, B, L, W, ZH}),
    ("channel:email", {A}),
    # tag: labels in both locales, code labels, dimension:code, custom code or label
    ('tag:"未响应-项目收尾"', {Z, L}),
    ('tag:"No response – project wrap-up"', {Z, L}),
    ('tag:"no response - project wrap-up"', {Z, L}),
    ("tag:项目收尾", {Z, L}),
    ('tag:"Project wrap-up"', {Z, L}),
    ("tag:reason:counter_offer", {A}),
    ("tag:偏好-弹性工作", {Z, W}),
    ("tag:渠道-微信", {A}),
    ("tag:匹配度-高", {Z, W}),
    ("tag:vip", {Z}),
    ("tag:重点关注", {Z}),
    ('tag:"gold medal"', {ZH}),
    ("tag:GOLD", {ZH}),
    ("-tag:vip", EVERYONE - {Z}),
    # match: bands and scores; no score never matches
    ("match:high", {Z, W}),
    ("match:medium", {A, ZH}),
    ("match:low", {L}),
    ("-match:low", {Z, A, B, W, ZH}),
    ("match:>=80", {Z, W}),
    ("match:>80", {Z}),
    ("match:<60", {L}),
    ("match:<=65", {A, L}),
    # status
    ("status:stalled", {Z, L}),
    ("-status:do_not_contact", EVERYONE - {B}),
    # skill: exact, case-insensitive
    ("skill:python", {Z, L}),
    ("skill:PMP", {Z, W}),
    ('skill:"c++"', {L}),
    ("-skill:python", {A, B, W, ZH}),
    # signal: none exist until profile feeds land
    ("signal:open_to_work", set()),
    ("-signal:open_to_work", EVERYONE),
    # city: case-insensitive equality
    ("city:上海", {Z, W}),
    ("city:shanghai", {L}),
    ("city:SHANGHAI", {L}),
    ("-city:上海", {A, B, L, ZH}),
    # last_contact: never contacted counts as long ago for > and >=
    ("last_contact:>180d", {Z, B}),
    ("last_contact:>=180d", {Z, B, L}),
    ("last_contact:>6m", {Z, B}),
    ("last_contact:<30d", {A, W}),
    ("last_contact:<=30d", {A, W, ZH}),
    ("-last_contact:>180d", {A, L, W, ZH}),
    ("-last_contact:<30d", {Z, B, L, ZH}),
    # contract_end: from today on; a past end never matches
    ("contract_end:<90d", {Z, ZH}),
    ("contract_end:<=90d", {Z, W, ZH}),
    ("contract_end:>90d", {A}),
    ("contract_end:>=90d", {A, W}),
    ("-contract_end:<90d", {A, B, L, W}),
    # follow_up: today or earlier
    ("follow_up:due", {Z, L}),
    ("-follow_up:due", {A, B, W, ZH}),
    # owner
    ("owner:me", {Z, L}),
    ("-owner:me", {A, B, W, ZH}),
    # bare words: name, company, title (substring) or an exact skill
    ("engineer", {A, ZH}),
    ("ALICE", {A}),
    ("某科技", {Z, W}),
    ("python", {Z, L}),
    ("li", {A, L}),
    ("-engineer", {Z, B, L, W}),
    ('"%"', {A}),
    ("_", {A}),
    ('"100%"', {A}),
    # combinations
    (
        "reason:project_wrapup match:high value:flexibility last_contact:>180d "
        "-status:do_not_contact",
        {Z},
    ),
    ("status:hired OR status:active", {W, ZH}),
    ("(reason:project_wrapup OR value:flexibility) -city:上海", {L}),
    ("NOT (match:high OR match:medium)", {B, L}),
    ("", EVERYONE),
    ("   ", EVERYONE),
]


@pytest.mark.parametrize(("query", "expected"), CASES, ids=[q or "blank" for q, _ in CASES])
def test_query_selects(app: Flask, people: People, query: str, expected: set[str]) -> None:
    assert names(app, people, query) == expected


def test_none_selects_everyone(app: Flask, people: People) -> None:
    assert names(app, people, None) == EVERYONE


def test_not_is_the_exact_complement_of_every_field(app: Flask, people: People) -> None:
    for query, expected in CASES:
        if query.strip() and not query.startswith(("-", "NOT")):
            assert names(app, people, f"-({query})") == EVERYONE - expected, query


def test_owner_by_email(app: Flask, people: People) -> None:
    admin = people.tenant.emails["tenant_admin"]
    assert names(app, people, f"owner:{admin}") == {A}
    assert names(app, people, f"owner:{admin.upper()}") == {A}


def test_owner_email_of_another_tenant_is_unknown(app: Flask, people: People) -> None:
    error = compile_error(app, people, f"owner:{people.other.emails['recruiter']}")
    assert error.code == ErrorCode.UNKNOWN_OWNER
    assert error.position == len("owner:")


def compile_error(
    app: Flask, people: People, query: str, user_id: uuid.UUID | None = None
) -> SegmentQueryError:
    with app.app_context(), tenant_context(people.tenant.id), pytest.raises(
        SegmentQueryError
    ) as caught:
        select_candidates(query, today=TODAY, user_id=user_id)
    return caught.value


def test_unknown_owner_and_tag_point_at_the_value(app: Flask, people: People) -> None:
    error = compile_error(app, people, "status:stalled owner:nobody@x.example")
    assert (error.code, error.position) == (ErrorCode.UNKNOWN_OWNER, 21)
    error = compile_error(app, people, "status:stalled tag:vpi")
    assert (error.code, error.position) == (ErrorCode.UNKNOWN_TAG, 19)
    assert "vpi" in error.message


def test_owner_me_needs_a_user(app: Flask, people: People) -> None:
    error = compile_error(app, people, "owner:me", user_id=None)
    assert error.code == ErrorCode.UNKNOWN_OWNER


def test_parse_errors_keep_their_position(app: Flask, people: People) -> None:
    error = compile_error(app, people, "status:stalled (reason:health")
    assert (error.code, error.position) == (ErrorCode.UNBALANCED_PAREN, 15)


def test_values_are_bound_parameters_never_sql_text(app: Flask, people: People) -> None:
    query = "reason:project_wrapup city:上海 \"o'brien\" owner:me -skill:python"
    with app.app_context(), tenant_context(people.tenant.id):
        stmt = select_candidates(query, today=TODAY, user_id=people.tenant.users["recruiter"])
        sql = str(stmt.compile(db.engine))
    for literal in ("project_wrapup", "上海", "o'brien", "python"):
        assert literal not in sql


def test_candidate_filter_of_none_is_true(app: Flask) -> None:
    with app.app_context():
        assert str(candidate_filter(None, today=TODAY, user_id=None)) == str(sa.true())


def test_filter_composes_with_other_conditions(app: Flask, people: People) -> None:
    node = parse_segment_query("skill:python")
    with app.app_context(), tenant_context(people.tenant.id):
        from saas.candidates.models import Candidate

        stmt = sa.select(sa.func.count()).select_from(Candidate).where(
            candidate_filter(node, today=TODAY, user_id=None), Candidate.status == "stalled"
        )
        assert db.session.scalar(stmt) == 2
