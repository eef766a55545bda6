"""``/api/v1/templates``: CRUD, 422 with lines, 409, permissions, preview, starter templates."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from saas.audit.models import AuditEvent
from saas.extensions import db
from saas.outreach.models import Template
from saas.outreach.template_checks import validate_template
from saas.outreach.templates_service import PURPOSES, starter_templates
from saas.tenancy.context import tenant_context
from tests.factories import TenantFixture
from tests.outreach.template_support import create_candidate, tell_story

WECHAT = {
    "name": "项目收尾回访", "channel": "wechat", "locale": "zh-CN", "purpose": "project_wrapup",
    "body": "{{ candidate.name }}您好，{% if last_conversation %}{{ last_conversation.date|ago }}"
            "聊的时候您说手上的项目要收尾，{% endif %}现在应该告一段落了吧？",
}
EMAIL = {
    "name": "Wrap-up", "channel": "email", "locale": "en",
    "subject": "{{ candidate.first_name }}, how did the project land?",
    "body": "Hi {{ candidate.first_name }},\n{% for q in open_questions %}- {{ q }}\n{% endfor %}"
            "{{ sender.name }}",
}


def post(app: Flask, tenant: TenantFixture, body: dict[str, Any],
         role: str = "recruiter") -> Any:
    return app.test_client().post("/api/v1/templates", json=body, headers=tenant.headers(role))


def count_templates(app: Flask, tenant: TenantFixture) -> int:
    with app.app_context(), tenant_context(tenant.id):
        return int(db.session.scalar(sa.select(sa.func.count()).select_from(Template)) or 0)


def test_create_read_update_list_delete(app: Flask, tenant_a: TenantFixture) -> None:
    client = app.test_client()
    headers = tenant_a.headers("recruiter")
    created = post(app, tenant_a, WECHAT)
    assert created.status_code == 201, created.get_json()
    doc = created.get_json()
    assert {k: doc[k] for k in WECHAT} == WECHAT
    assert doc["subject"] is None
    assert doc["created_by"] == str(tenant_a.users["recruiter"])
    template_id = doc["id"]

    assert post(app, tenant_a, EMAIL).status_code == 201
    listed = client.get("/api/v1/templates?limit=1", headers=headers).get_json()
    assert [t["name"] for t in listed["items"]] == ["项目收尾回访"]
    rest = client.get(f"/api/v1/templates?cursor={listed['next_cursor']}",
                      headers=headers).get_json()
    assert [t["name"] for t in rest["items"]] == ["Wrap-up"]
    only_email = client.get("/api/v1/templates?channel=email", headers=headers).get_json()
    assert [t["channel"] for t in only_email["items"]] == ["email"]

    changed = client.patch(f"/api/v1/templates/{template_id}", headers=headers,
                           json={"body": "{{ candidate.name }}您好！"})
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["body"] == "{{ candidate.name }}您好！"
    assert client.get(f"/api/v1/templates/{template_id}",
                      headers=headers).get_json()["name"] == "项目收尾回访"

    assert client.delete(f"/api/v1/templates/{template_id}", headers=headers).status_code == 204
    assert client.get(f"/api/v1/templates/{template_id}", headers=headers).status_code == 404
    with app.app_context(), tenant_context(tenant_a.id):
        actions = list(db.session.scalars(sa.select(AuditEvent.action).where(
            AuditEvent.target_kind == "template")))
    assert {"template.created", "template.updated", "template.deleted"} <= set(actions)


def test_name_channel_locale_is_unique(app: Flask, tenant_a: TenantFixture,
                                       tenant_b: TenantFixture) -> None:
    assert post(app, tenant_a, WECHAT).status_code == 201
    again = post(app, tenant_a, WECHAT)
    assert again.status_code == 409
    assert again.content_type == "application/problem+json"
    assert "choose another name" in again.get_json()["detail"]
    # another channel or language, or another tenant: fine
    assert post(app, tenant_a, {**WECHAT, "channel": "sms"}).status_code == 201
    assert post(app, tenant_a, {**WECHAT, "locale": "en"}).status_code == 201
    assert post(app, tenant_b, WECHAT).status_code == 201
    # renaming onto a taken name
    other = post(app, tenant_a, {**WECHAT, "name": "另一个"}).get_json()
    clash = app.test_client().patch(f"/api/v1/templates/{other['id']}",
                                    json={"name": WECHAT["name"]},
                                    headers=tenant_a.headers("recruiter"))
    assert clash.status_code == 409
    assert count_templates(app, tenant_a) == 4


@pytest.mark.parametrize(("body", "code", "line"), [
    ("Hi\n{{ ''.__class__ }}", "private_name", 2),
    ("{{ cycler.__init__.__globals__ }}", "private_name", 1),
    ("{{ self._TemplateReference__context }}", "private_name", 1),
    ('{{ "{0.__class__}".format(candidate) }}', "call", 1),
    ("{% import 'os' as os %}", "forbidden_tag", 1),
    ("{% include 'base.html' %}", "forbidden_tag", 1),
    ("{% extends 'base.html' %}", "forbidden_tag", 1),
    ("{% for i in range(10**9) %}x{% endfor %}", "too_much_work", 1),
])
def test_injection_attempts_are_422_and_nothing_is_stored(
        app: Flask, tenant_a: TenantFixture, body: str, code: str, line: int) -> None:
    response = post(app, tenant_a, {**WECHAT, "body": body})
    assert response.status_code == 422
    problem = response.get_json()
    assert str(line) in problem["errors"]["body"][0]  # messages are in the user's language
    first = problem["problems"][0]
    assert (first["field"], first["code"], first["line"]) == ("body", code, line)
    assert count_templates(app, tenant_a) == 0


def test_unknown_variable_is_422_naming_it_and_the_line(app: Flask,
                                                        tenant_a: TenantFixture) -> None:
    response = post(app, tenant_a, {**EMAIL, "body": "Hi {{ candidate.first_name }},\n\n"
                                                     "{{ salary }}"})
    assert response.status_code == 422
    body = response.get_json()
    assert [(p["field"], p["code"], p["line"]) for p in body["problems"]] == [
        ("body", "unknown_variable", 3)]
    assert list(body["errors"]) == ["body"]
    assert "“salary”" in body["errors"]["body"][0] and "3" in body["errors"]["body"][0]
    assert "salary" in body["detail"]


def test_syntax_error_subject_rules_and_bad_fields(app: Flask, tenant_a: TenantFixture) -> None:
    syntax = post(app, tenant_a, {**WECHAT, "body": "您好\n{% if last_conversation %}\n没结束"})
    assert syntax.status_code == 422
    assert syntax.get_json()["problems"][0]["code"] == "syntax"
    assert syntax.get_json()["problems"][0]["line"] == 3
    no_subject = post(app, tenant_a, {**EMAIL, "subject": None})
    assert [(p["field"], p["code"]) for p in no_subject.get_json()["problems"]] == [
        ("subject", "subject_missing")]
    sms_subject = post(app, tenant_a, {**WECHAT, "channel": "sms", "subject": "Hi"})
    assert list(sms_subject.get_json()["errors"]) == ["subject"]
    unknown = post(app, tenant_a, {**WECHAT, "tenant_id": "x", "channel": "fax",
                                   "purpose": "nope"})
    assert unknown.status_code == 422
    assert {"tenant_id", "channel", "purpose"} <= set(unknown.get_json()["errors"])
    too_long = post(app, tenant_a, {**WECHAT, "body": "{% for i in range(999) %}微信消息"
                                                      "{% endfor %}"})
    assert too_long.get_json()["problems"][0]["code"] in ("wechat_too_long", "too_long_output")
    bad_patch = app.test_client().patch(
        f"/api/v1/templates/{post(app, tenant_a, WECHAT).get_json()['id']}",
        json={"body": "{{ nope }}"}, headers=tenant_a.headers("recruiter"))
    assert bad_patch.status_code == 422
    assert count_templates(app, tenant_a) == 1


def test_permissions(app: Flask, tenant_a: TenantFixture, tenant_b: TenantFixture) -> None:
    client = app.test_client()
    template_id = post(app, tenant_a, WECHAT).get_json()["id"]
    stranger = tenant_b.headers()
    assert client.get(f"/api/v1/templates/{template_id}", headers=stranger).status_code == 404
    assert client.patch(f"/api/v1/templates/{template_id}", json={"name": "x"},
                        headers=stranger).status_code == 404
    assert client.delete(f"/api/v1/templates/{template_id}",
                         headers=stranger).status_code == 404
    assert client.post(f"/api/v1/templates/{template_id}/preview", json={},
                       headers=stranger).status_code == 404  # before the body is read
    assert client.get("/api/v1/templates", headers=stranger).get_json()["items"] == []
    for role in ("analyst", "hiring_manager"):
        headers = tenant_a.headers(role)
        assert client.get("/api/v1/templates", headers=headers).status_code == 403
        assert post(app, tenant_a, {**WECHAT, "name": role}, role=role).status_code == 403
        assert client.delete(f"/api/v1/templates/{template_id}",
                             headers=headers).status_code == 403
    assert client.get("/api/v1/templates").status_code == 401
    assert client.get("/api/v1/templates", headers=tenant_a.headers()).status_code == 200


def test_preview_for_a_candidate(app: Flask, tenant_a: TenantFixture,
                                 tenant_b: TenantFixture) -> None:
    story = tell_story(app, tenant_a)
    client = app.test_client()
    headers = tenant_a.headers("recruiter")
    template_id = post(app, tenant_a, EMAIL).get_json()["id"]
    response = client.post(f"/api/v1/templates/{template_id}/preview", headers=headers,
                           json={"candidate_id": story.candidate_id})
    assert response.status_code == 200, response.get_json()
    preview = response.get_json()
    assert preview["channel"] == "email"
    assert preview["subject"] == "李明, how did the project land?"
    assert preview["body"] == "Hi 李明,\n- 期权怎么算\n- 年终奖怎么算\nRecruiter"
    assert preview["segments"] is None and preview["problems"] == []

    sms = post(app, tenant_a, {**WECHAT, "channel": "sms"}).get_json()
    over = client.post(f"/api/v1/templates/{sms['id']}/preview", headers=headers,
                       json={"candidate_id": story.candidate_id}).get_json()
    assert over["segments"] == 1 and over["problems"] == []

    other_candidate = create_candidate(app, tenant_b)
    assert client.post(f"/api/v1/templates/{template_id}/preview", headers=headers,
                       json={"candidate_id": other_candidate}).status_code == 404
    assert client.post(f"/api/v1/templates/{template_id}/preview",
                       headers=tenant_b.headers("recruiter"),
                       json={"candidate_id": other_candidate}).status_code == 404
    assert client.post(f"/api/v1/templates/{template_id}/preview", headers=headers,
                       json={}).status_code == 422


def test_starters_cover_every_situation_and_pass_validation(app_ctx: Flask) -> None:
    starters = starter_templates()
    assert {s["purpose"] for s in starters} == set(PURPOSES) - {"follow_up"}
    assert {s["locale"] for s in starters} == {"zh-CN", "en"}
    assert {s["channel"] for s in starters} == {"email", "wechat", "sms", "linkedin"}
    for starter in starters:
        problems = validate_template(starter["channel"], starter["locale"],
                                     starter.get("subject"), starter["body"])
        assert problems == [], (starter["file"], [p.message for p in problems])
        for variable in ("candidate", "sender"):
            assert variable in starter["body"], starter["file"]
    bodies = " ".join(s["body"] for s in starters)
    for variable in ("last_conversation", "open_questions", "changes", "openings",
                     "unsubscribe_url"):
        assert variable in bodies
    keys = {(s["name"], s["channel"], s["locale"]) for s in starters}
    assert len(keys) == len(starters)


def test_install_starters_from_the_command_line_is_idempotent(
        app: Flask, tenant_a: TenantFixture) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["templates", "install-starters", "--tenant", tenant_a.slug])
    assert first.exit_code == 0, first.output
    total = len(starter_templates())
    assert f"{total} starter template(s) added, 0 already there" in first.output
    assert count_templates(app, tenant_a) == total
    again = runner.invoke(args=["templates", "install-starters", "--tenant", tenant_a.slug])
    assert f"0 starter template(s) added, {total} already there" in again.output
    assert count_templates(app, tenant_a) == total
    missing = runner.invoke(args=["templates", "install-starters", "--tenant", "nope"])
    assert missing.exit_code != 0
    assert "No tenant with the slug 'nope'" in missing.output
