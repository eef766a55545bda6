"""The audit page reads as words: object kinds, detail keys and values, short linked ids.

The exports keep the stored codes and full ids.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

import pytest
from flask import Flask

from saas import audit
from saas.audit.display import KIND_LABELS, detail_entries, short_id
from saas.audit.search import AuditFilter, event_page
from saas.extensions import db
from saas.tenancy.context import tenant_context
from tests.audit.test_export import _export
from tests.audit.test_page import _client
from tests.factories import TenantFixture

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "01a21608-62ce-7e05-90fb-9e58cdb951ef"
OTHER_TOKEN = "01a21700-ffff-7e05-90fb-9e58cdb951ef"  # the same last 8 characters
GONE_USER = "01a21608-0000-7000-8000-000000000000"  # the same first 8 characters as TOKEN
CANDIDATE = "0b000000-0000-7000-8000-000000000001"
TEMPLATE = "0c000000-0000-7000-8000-000000000002"


def _record(app: Flask, tenant: TenantFixture) -> None:
    admin = tenant.users["tenant_admin"]
    with app.app_context(), tenant_context(tenant.id):
        audit.record("plugin.configured", actor_kind="system", target_kind="plugin",
                     target_id="channel_email",
                     detail={"enabled": True, "changed_keys": ["host", "port"]})
        audit.record("token.created", actor_kind="user", actor_id=admin,
                     target_kind="api_token", target_id=TOKEN, detail={"for_user": str(admin)})
        audit.record("token.revoked", actor_kind="user", actor_id=admin,
                     target_kind="api_token", target_id=OTHER_TOKEN, detail={})
        audit.record("user.created", actor_kind="system", target_kind="user",
                     target_id=tenant.users["recruiter"], detail={"role": "hiring_manager"})
        audit.record("user.updated", actor_kind="system", target_kind="user",
                     target_id=GONE_USER, detail={"enabled": False})
        audit.record("consent.recorded", actor_kind="user", actor_id=admin,
                     target_kind="candidate", target_id=CANDIDATE,
                     detail={"channel": "wechat", "basis": "consent", "expires": False})
        audit.record("template.updated", actor_kind="user", actor_id=admin,
                     target_kind="template", target_id=TEMPLATE,
                     detail={"fields": ["body", "subject"], "mystery_key": "kept_as_is"})
        db.session.commit()


@dataclass
class Element:
    """Just enough of an HTML tree to find the list's cells by tag, class and attribute."""

    tag: str
    attrs: dict[str, str]
    children: list[Element | str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text for c in self.children)

    def __getitem__(self, name: str) -> str:
        return self.attrs[name]

    def find_all(self, tag: str = "", cls: str = "", **attrs: str) -> list[Element]:
        found = []
        for child in self.children:
            if isinstance(child, str):
                continue
            if (not tag or child.tag == tag) and (
                    not cls or cls in child.attrs.get("class", "").split()) and all(
                    child.attrs.get(name.replace("_", "-")) == value
                    for name, value in attrs.items()):
                found.append(child)
            found.extend(child.find_all(tag, cls, **attrs))
        return found

    def find(self, tag: str = "", cls: str = "", **attrs: str) -> Element | None:
        found = self.find_all(tag, cls, **attrs)
        return found[0] if found else None

    def one(self, tag: str = "", cls: str = "", **attrs: str) -> Element:
        found = self.find(tag, cls, **attrs)
        assert found is not None, (tag, cls, attrs)
        return found


class _Builder(HTMLParser):
    VOID: ClassVar[set[str]] = {"meta", "br", "hr", "img", "input", "link", "source"}

    def __init__(self) -> None:
        super().__init__()
        self.stack = [Element("root", {})]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {name: value or "" for name, value in attrs})
        self.stack[-1].children.append(element)
        if tag not in self.VOID:
            self.stack.append(element)

    def handle_endtag(self, tag: str) -> None:
        if any(element.tag == tag for element in self.stack[1:]):
            while self.stack.pop().tag != tag:
                pass

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def _rows(html: str) -> list[Element]:
    builder = _Builder()
    builder.feed(html)
    table = builder.stack[0].find("table", "audit-list")
    return table.one("tbody").find_all("tr") if table else []


def _row_of(html: str, action_text: str, target: object) -> Element:
    """The newest row of that action (its words) on that target (its full id)."""
    found = [row for row in _rows(html) if action_text in row.one(cls="audit-what").text
             and (link := row.find("a", "audit-id")) is not None and link["title"] == str(target)]
    assert found, (action_text, target)
    return found[0]


def _entry(row: Element, key: str) -> str:
    return " ".join(row.one(cls="audit-entry", data_key=key).text.split())


def test_kinds_keys_and_values_in_english(app: Flask, tenant_a: TenantFixture) -> None:
    _record(app, tenant_a)
    html = _client(app, tenant_a).get("/settings/audit").get_data(as_text=True)
    plugin = _row_of(html, "Changed plugin settings", "channel_email")
    assert plugin.one(cls="audit-kind").text == "Plugin"
    assert plugin.one("a", "audit-id").text == "channel_email"  # a code is not shortened
    assert _entry(plugin, "enabled") == "Enabled: Yes"
    assert _entry(plugin, "changed_keys") == "Changed settings: host, port"
    token = _row_of(html, "Created an API token", TOKEN)
    assert token.one(cls="audit-kind").text == "API token"
    admin = str(tenant_a.users["tenant_admin"])
    for_user = token.one(cls="audit-entry", data_key="for_user").one("code", "audit-id")
    assert for_user.text == admin[-8:] and for_user["title"] == admin
    assert _entry(token, "for_user").startswith("For user:")
    recruiter = tenant_a.users["recruiter"]
    assert _entry(_row_of(html, "Added a team member", recruiter), "role") == "Role: Hiring manager"
    assert _entry(_row_of(html, "Changed a team member", GONE_USER), "enabled") == "Enabled: No"
    consent = _row_of(html, "Recorded a consent", CANDIDATE)
    assert consent.one(cls="audit-kind").text == "Candidate"
    assert _entry(consent, "channel") == "Channel: WeChat"
    assert _entry(consent, "basis") == "Basis: Consent (the candidate agreed)"
    template = _row_of(html, "Changed a message template", TEMPLATE)
    assert template.one(cls="audit-kind").text == "Message template"
    assert _entry(template, "fields") == "Changed fields: body, subject"
    assert _entry(template, "mystery_key") == "mystery_key: kept_as_is"  # unknown: as stored
    shown = " ".join(" ".join(row.text.split()) for row in _rows(html))
    for raw in ("changed_keys:", "for_user:", "api_token", "hiring_manager", ": True"):
        assert raw not in shown, raw
    sign_in = _row_of(html, "Signed in", tenant_a.users["tenant_admin"])
    assert re.search(r"#\d+ · IP 127\.0\.0\.1", sign_in.one(cls="audit-seq").text)


def test_kinds_keys_and_values_in_chinese(app: Flask, tenant_a: TenantFixture) -> None:
    _record(app, tenant_a)
    html = _client(app, tenant_a, locale="zh-CN").get("/settings/audit").get_data(as_text=True)
    plugin = _row_of(html, "修改了插件设置", "channel_email")
    assert plugin.one(cls="audit-kind").text == "插件"
    assert _entry(plugin, "enabled") == "已开启：是"
    assert _entry(plugin, "changed_keys") == "改动的设置：host, port"
    token = _row_of(html, "创建了 API 令牌", TOKEN)
    assert token.one(cls="audit-kind").text == "API 令牌"
    assert _entry(token, "for_user").startswith("所属用户：")
    role = _entry(_row_of(html, "添加了团队成员", tenant_a.users["recruiter"]), "role")
    assert role.startswith("角色：") and "hiring_manager" not in role
    consent = _row_of(html, "记录了同意", CANDIDATE)
    assert consent.one(cls="audit-kind").text == "候选人"
    assert _entry(consent, "channel") == "渠道：微信"
    assert _entry(consent, "basis").startswith("依据：")
    assert _entry(consent, "expires").endswith("否")
    template = _row_of(html, "消息模板", TEMPLATE)
    assert template.one(cls="audit-kind").text == "消息模板"
    assert _entry(template, "fields").startswith("改动的字段：")
    assert _entry(template, "mystery_key").startswith("mystery_key")


def test_short_id_links_filter_to_that_object(app: Flask, tenant_a: TenantFixture) -> None:
    _record(app, tenant_a)
    client = _client(app, tenant_a)
    html = client.get("/settings/audit").get_data(as_text=True)
    link = _row_of(html, "Created an API token", TOKEN).one("a", "audit-id")
    assert link.text == TOKEN[-8:] and link["title"] == TOKEN
    assert link["href"] == f"/settings/audit?target={TOKEN}"
    exact = client.get(link["href"]).get_data(as_text=True)
    assert [r.one("a", "audit-id")["title"] for r in _rows(exact)] == [TOKEN]
    short = client.get(f"/settings/audit?target={TOKEN[-8:].upper()}").get_data(as_text=True)
    assert {r.one("a", "audit-id")["title"] for r in _rows(short)} == {TOKEN, OTHER_TOKEN}
    head = client.get(f"/settings/audit?target={TOKEN[:8]}").get_data(as_text=True)
    assert not _rows(head)  # the shared time-ordered head is no short id


def test_a_short_id_filter_escapes_wildcards(app: Flask, tenant_a: TenantFixture) -> None:
    with app.app_context(), tenant_context(tenant_a.id):
        audit.record("tag.created", target_kind="tag", target_id="ab%d_efgh")
        audit.record("tag.created", target_kind="tag", target_id="abXdYefgh")
        db.session.commit()
        events, _ = event_page(AuditFilter(target_id="%d_efgh", target_suffix=True), 10, None)
        assert [e.target_id for e in events] == ["ab%d_efgh"]
    # the page only treats eight hex digits as a short id; anything else is an exact id
    html = _client(app, tenant_a).get("/settings/audit?target=dYefgh").get_data(as_text=True)
    assert not _rows(html)


def test_existing_users_link_to_their_page(app: Flask, tenant_a: TenantFixture) -> None:
    _record(app, tenant_a)
    html = _client(app, tenant_a).get("/settings/audit").get_data(as_text=True)
    recruiter = tenant_a.users["recruiter"]
    added = _row_of(html, "Added a team member", recruiter).find("a", "audit-kind")
    assert added["href"] == f"/settings/users/{tenant_a.users['recruiter']}"
    gone = _row_of(html, "Changed a team member", GONE_USER)
    assert gone.find("a", "audit-kind") is None  # no such user: no page to open
    assert gone.one("span", "audit-kind").text == "User"
    assert _row_of(html, "Recorded a consent", CANDIDATE).find("a", "audit-kind") is None


def test_the_export_keeps_raw_codes_and_full_ids(app: Flask, tenant_a: TenantFixture) -> None:
    _record(app, tenant_a)
    client = _client(app, tenant_a)
    exported = _export(client, "json")
    body = json.loads(exported.get_data(as_text=True))  # type: ignore[attr-defined]
    items = body["events"] if isinstance(body, dict) else body
    token = next(i for i in items if i["action"] == "token.created")
    assert token["target_kind"] == "api_token" and token["target_id"] == TOKEN
    assert token["detail"] == {"for_user": str(tenant_a.users["tenant_admin"])}
    plugin = next(i for i in items if i["action"] == "plugin.configured")
    assert plugin["detail"] == {"enabled": True, "changed_keys": ["host", "port"]}
    csv_text = _export(client, "csv").get_data(as_text=True)  # type: ignore[attr-defined]
    assert "api_token" in csv_text and TOKEN in csv_text and "hiring_manager" in csv_text


@pytest.mark.parametrize("value,expected", [
    ("01a21608-62ce-7e05-90fb-9e58cdb951ef", "cdb951ef"), ("channel_email", None), (7, None)])
def test_short_id(value: object, expected: str | None) -> None:
    assert short_id(value) == expected


def test_detail_entries_fall_back_to_the_stored_key(app: Flask) -> None:
    with app.test_request_context():
        entries = detail_entries({"zz_new": {"b": 2, "a": 1}, "ok": None, "fields": []})
    assert [(e.key, e.label) for e in entries] == [
        ("fields", "Changed fields"), ("ok", "Intact"), ("zz_new", "zz_new")]
    assert [v.text for v in entries[2].values] == ["a 1", "b 2"]
    assert [v.text for v in entries[0].values] == ["—"]


def _recorded_kinds() -> dict[str, str]:
    """Every literal ``target_kind`` the code records (and the openings' ``_record`` kinds)."""
    found: dict[str, str] = {}
    for path in [*ROOT.glob("saas/**/*.py"), *ROOT.glob("plugins/**/*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            values = [k.value for k in node.keywords if k.arg == "target_kind"]
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            if name == "_record" and len(node.args) >= 2:
                values.append(node.args[1])
            for value in values:
                options = [value.body, value.orelse] if isinstance(value, ast.IfExp) else [value]
                for option in options:
                    if isinstance(option, ast.Constant) and isinstance(option.value, str):
                        found.setdefault(option.value, str(path.relative_to(ROOT)))
    return found


def test_every_recorded_target_kind_has_a_label() -> None:
    found = _recorded_kinds()
    assert {"candidate", "user", "api_token", "plugin", "opening"} <= set(found)
    missing = {kind: where for kind, where in found.items() if kind not in KIND_LABELS}
    assert not missing, f"add labels to KIND_LABELS in saas/audit/display.py for: {missing}"
