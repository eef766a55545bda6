"""Template pages: list by situation, starters, editor with errors by line, live preview
for a candidate, delete; permissions and both languages."""

from __future__ import annotations

import html
import re

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from saas.extensions import db
from saas.outreach.models import Template
from saas.outreach.templates_service import starter_templates
from saas.tenancy.context import tenant_context
from tests.factories import TenantFixture, csrf_from, login
from tests.outreach.template_support import tell_story

BODY = ("{{ candidate.name }}您好，{% if last_conversation %}{{ last_conversation.date|ago }}"
        "聊的时候您说手上的项目要收尾，{% endif %}现在应该告一段落了吧？")


def signed_in(app: Flask, tenant: TenantFixture, role: str = "recruiter",
              language: str | None = "en") -> FlaskClient:
    client = app.test_client()
    login(client, tenant, role)
    if language:
        token = csrf_from(client.get("/account").get_data(as_text=True))
        client.post("/language", data={"csrf_token": token, "locale": language, "next": "/"})
    return client


def text(response: object) -> str:
    return html.unescape(response.get_data(as_text=True))  # type: ignore[attr-defined]


def form_data(client: FlaskClient, url: str, **fields: str) -> dict[str, str]:
    token = csrf_from(client.get(url).get_data(as_text=True))
    return {"csrf_token": token, "name": "项目收尾回访", "purpose": "project_wrapup",
            "channel": "sms", "locale": "zh-CN", "subject": "", "body": BODY,
            "candidate_id": "", **fields}


def template_named(app: Flask, tenant: TenantFixture, name: str) -> Template | None:
    with app.app_context(), tenant_context(tenant.id):
        return db.session.scalars(sa.select(Template).where(Template.name == name)).first()


def test_empty_list_then_starters_grouped_by_situation(app: Flask,
                                                       tenant_a: TenantFixture) -> None:
    client = signed_in(app, tenant_a)
    empty = text(client.get("/templates"))
    assert "No templates yet" in empty
    assert 'href="/templates"' in empty  # in the navigation
    token = csrf_from(empty)
    added = client.post("/templates/starters", data={"csrf_token": token},
                        follow_redirects=True)
    page = text(added)
    assert f"Starter templates added: {len(starter_templates())} (already there: 0)." in page
    for heading in ("Project wrap-up follow-up", "Birthday wishes", "Company news",
                    "Manager opening"):
        assert f">{heading}</h2>" in page
    assert "WeChat · 中文" in page and "email · English" in page and "SMS · 中文" in page
    again = client.post("/templates/starters", data={"csrf_token": csrf_from(page)},
                        follow_redirects=True)
    assert f"(already there: {len(starter_templates())})" in text(again)


def test_save_with_errors_next_to_the_field_and_the_text_kept(
        app: Flask, tenant_a: TenantFixture) -> None:
    client = signed_in(app, tenant_a)
    new_page = text(client.get("/templates/new"))
    assert "Variables" in new_page and "{{ last_conversation.date|ago }}" in new_page
    data = form_data(client, "/templates/new", body="您好\n\n{{ salary }}",
                     action="save")
    response = client.post("/templates/new", data=data)
    assert response.status_code == 422
    page = text(response)
    assert re.search(r'class="field has-error">\s*<span class="label-line"><label for="body"',
                     page)
    assert "Line 3: unknown variable “salary”" in page
    assert "您好\n\n{{ salary }}</textarea>" in page
    escape = client.post("/templates/new", data={**data, "body": "{{ ''.__class__ }}"})
    assert escape.status_code == 422
    assert "names starting with an underscore (__class__) are not available" in text(escape)
    missing_name = client.post("/templates/new", data={**data, "name": ""})
    assert missing_name.status_code == 422
    assert template_named(app, tenant_a, "项目收尾回访") is None


def test_preview_for_a_candidate_then_save_show_and_delete(app: Flask,
                                                           tenant_a: TenantFixture) -> None:
    story = tell_story(app, tenant_a)
    client = signed_in(app, tenant_a)
    data = form_data(client, "/templates/new", candidate_id=story.candidate_id,
                     action="preview")
    previewed = client.post("/templates/new", data=data)
    assert previewed.status_code == 200
    page = text(previewed)
    assert "For 李明, as it would be sent now." in page
    assert "李明您好，" in page and "聊的时候您说手上的项目要收尾" in page
    assert "SMS segments: 1 of at most 6" in page
    assert "UCS-2: 67 per segment" not in page and "UCS-2: 70 per segment" in page
    assert template_named(app, tenant_a, "项目收尾回访") is None  # a preview saves nothing

    saved = client.post("/templates/new", data={**data, "action": "save"})
    assert saved.status_code == 302
    template = template_named(app, tenant_a, "项目收尾回访")
    assert template is not None
    assert f"candidate_id={story.candidate_id}" in saved.headers["Location"]
    shown = text(client.get(saved.headers["Location"]))
    assert "Template “项目收尾回访” is saved." in shown
    assert "For 李明, as it would be sent now." in shown

    example = text(client.get(f"/templates/{template.id}"))
    assert "With the example data." in example and "李明您好" in example

    too_long = client.post(f"/templates/{template.id}", data={
        **data, "action": "preview", "body": "{% for i in range(500) %}中{% endfor %}"})
    assert too_long.status_code == 422
    assert "With the example data: The text message needs 8 segments" in text(too_long)

    token = csrf_from(shown)
    deleted = client.post(f"/templates/{template.id}/delete", data={"csrf_token": token},
                          follow_redirects=True)
    assert "Template “项目收尾回访” is deleted." in text(deleted)
    assert template_named(app, tenant_a, "项目收尾回访") is None


def test_over_limit_for_one_candidate_is_shown_in_the_preview(
        app: Flask, tenant_a: TenantFixture) -> None:
    story = tell_story(app, tenant_a)
    client = signed_in(app, tenant_a)
    body = "{{ open_questions|join('；') }}" + "近况如何？" * 79  # 395 + the questions
    data = form_data(client, "/templates/new", body=body, candidate_id=story.candidate_id,
                     action="preview")
    page = text(client.post("/templates/new", data=data))
    assert "This message cannot be sent as it is:" in page
    assert "The text message needs 7 segments; at most 6 are allowed." in page


def test_pages_in_chinese(app: Flask, tenant_a: TenantFixture) -> None:
    client = signed_in(app, tenant_a, language=None)  # the tenant's language: zh-CN
    page = text(client.get("/templates/new"))
    assert '<html lang="zh-CN">' in page
    assert "李明" in page  # the examples are in the message's language
    assert '<option selected value="zh-CN">中文</option>' in page
    assert ">微信</option>" in page


def test_permissions_and_other_tenants(app: Flask, tenant_a: TenantFixture,
                                       tenant_b: TenantFixture) -> None:
    owner = signed_in(app, tenant_a)
    data = form_data(owner, "/templates/new", action="save")
    assert owner.post("/templates/new", data=data).status_code == 302
    template = template_named(app, tenant_a, "项目收尾回访")
    assert template is not None
    for role in ("analyst", "hiring_manager"):
        assert signed_in(app, tenant_a, role).get("/templates").status_code == 403
    stranger = signed_in(app, tenant_b)
    assert stranger.get(f"/templates/{template.id}").status_code == 404
    token = csrf_from(stranger.get("/templates").get_data(as_text=True))
    assert stranger.post(f"/templates/{template.id}/delete",
                         data={"csrf_token": token}).status_code == 404
    assert template_named(app, tenant_a, "项目收尾回访") is not None
