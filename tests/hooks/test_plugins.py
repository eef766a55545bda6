"""Plugin loading, per-tenant enablement and settings, containment, docs."""

from __future__ import annotations

import ast
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from flask import Flask

from saas.app import create_app
from saas.auth.models import User
from saas.extensions import db
from saas.hooks import HealthReport, PluginManifest, hookimpl
from saas.hooks.manager import PluginLoadError, call_optional, enabled_plugins, plugin_host
from saas.hooks.models import PluginSetting
from saas.tenancy.context import tenant_context
from saas.tenancy.models import Tenant, TenantInfo
from tests.conftest import app_config
from tests.factories import TenantFixture

ROOT = Path(__file__).resolve().parents[2]
RELEASE = threading.Event()


class RaisingPlugin:
    @hookimpl
    def saas_plugin_manifest(self) -> PluginManifest:
        return PluginManifest(name="test_raising", title="Raises", kind="test", version="0",
                              builtin=True)

    @hookimpl
    def saas_tenant_configured(self, tenant: TenantInfo, enabled_plugins: list[str]) -> None:
        raise RuntimeError("vendor bug")


class HangingPlugin:
    @hookimpl
    def saas_plugin_manifest(self) -> PluginManifest:
        return PluginManifest(name="test_hanging", title="Hangs", kind="test", version="0",
                              builtin=True)

    @hookimpl
    def saas_tenant_configured(self, tenant: TenantInfo, enabled_plugins: list[str]) -> None:
        RELEASE.wait(30)


class WorkingPlugin:
    calls: ClassVar[list[str]] = []

    @hookimpl
    def saas_plugin_manifest(self) -> PluginManifest:
        return PluginManifest(name="test_working", title="Works", kind="test", version="0")

    @hookimpl
    def saas_tenant_configured(self, tenant: TenantInfo, enabled_plugins: list[str]) -> str:
        WorkingPlugin.calls.append(tenant.slug)
        return "ok"


@pytest.fixture(scope="module")
def plugin_app(database_urls: tuple[str, str]) -> Iterator[Flask]:
    application = create_app(
        app_config(database_urls, PLUGIN_HOOK_TIMEOUT=0.5),
        extra_plugins=[("test_raising", RaisingPlugin()), ("test_hanging", HangingPlugin()),
                       ("test_working", WorkingPlugin())],
    )
    yield application
    RELEASE.set()


def _info(tenant: TenantFixture) -> TenantInfo:
    tenant_row = db.session.get(Tenant, tenant.id)
    assert tenant_row is not None
    return tenant_row.info()


def test_first_party_plugins_load_from_entry_points(app: Flask) -> None:
    with app.app_context():
        host = plugin_host()
        assert "channel_email" in host.names()
        assert host.manifest("channel_email").kind == "channel"


def test_plugin_without_manifest_is_refused(database_urls: tuple[str, str]) -> None:
    class Nameless:
        @hookimpl
        def saas_tenant_configured(self, tenant: TenantInfo, enabled_plugins: list[str]) -> None:
            return None

    with pytest.raises(PluginLoadError):
        create_app(app_config(database_urls), extra_plugins=[("nameless", Nameless())])


def test_unknown_hook_fails_at_start(database_urls: tuple[str, str]) -> None:
    class Typo:
        @hookimpl
        def saas_plugin_manifest(self) -> PluginManifest:
            return PluginManifest(name="typo", title="Typo", kind="test", version="0")

        @hookimpl
        def saas_tenant_configurd(self) -> None:
            return None

    with pytest.raises(Exception, match="unknown hook"):
        create_app(app_config(database_urls), extra_plugins=[("typo", Typo())])


def test_raising_and_hanging_plugins_are_contained(
    plugin_app: Flask, tenant_a: TenantFixture
) -> None:
    with plugin_app.app_context(), tenant_context(tenant_a.id):
        with db.session.no_autoflush:
            db.session.add(PluginSetting(plugin_name="test_working", enabled=True, settings={}))
        db.session.flush()
        started = time.monotonic()
        outcomes = {o.plugin: o for o in call_optional(
            "saas_tenant_configured", _info(tenant_a), enabled_plugins=[])}
        elapsed = time.monotonic() - started
        db.session.commit()
        assert outcomes["test_working"].ok and outcomes["test_working"].result == "ok"
        assert not outcomes["test_raising"].ok and "vendor bug" in str(
            outcomes["test_raising"].error)
        assert not outcomes["test_hanging"].ok and "no answer" in str(
            outcomes["test_hanging"].error)
        assert elapsed < 3
        rows = {r.plugin_name: r for r in db.session.scalars(sa.select(PluginSetting))}
        assert rows["test_raising"].failure_count == 1
        assert "vendor bug" in (rows["test_raising"].last_failure or "")
        assert rows["test_hanging"].failure_count == 1


def test_enablement_is_per_tenant(
    plugin_app: Flask, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    with plugin_app.app_context():
        with tenant_context(tenant_a.id):
            db.session.add(PluginSetting(plugin_name="test_working", enabled=True, settings={}))
            db.session.add(PluginSetting(plugin_name="test_raising", enabled=False, settings={}))
            db.session.commit()
            assert {"test_working", "test_hanging"} <= enabled_plugins()
            assert "test_raising" not in enabled_plugins()
        with tenant_context(tenant_b.id):
            enabled = enabled_plugins()
            assert "test_working" not in enabled and "test_raising" in enabled
            WorkingPlugin.calls.clear()
            call_optional("saas_tenant_configured", _info(tenant_b), enabled_plugins=[])
            assert WorkingPlugin.calls == []
            db.session.rollback()


def test_plugin_settings_api_hides_secrets_and_rejects_bad_input(
    app: Flask, tenant_a: TenantFixture
) -> None:
    client = app.test_client()
    url = "/api/v1/plugins/channel_email"
    good = {"enabled": True, "settings": {"host": "127.0.0.1", "port": 2525,
                                          "sender": "t@a.example", "password": "hunter2-secret"}}
    saved = client.put(url, headers=tenant_a.headers(), json=good)
    assert saved.status_code == 200, saved.get_json()
    body = saved.get_json()
    assert body["enabled"] is True
    assert body["settings"]["password"] == {"set": True}
    assert "hunter2-secret" not in saved.get_data(as_text=True)
    again = client.put(url, headers=tenant_a.headers(), json={
        "enabled": True, "settings": {"host": "smtp.a.example", "sender": "t@a.example"}})
    assert again.get_json()["settings"]["password"] == {"set": True}  # kept when omitted
    bad = client.put(url, headers=tenant_a.headers(), json={
        "enabled": True, "settings": {"host": "", "port": 99999, "sender": "x", "bogus": 1}})
    assert bad.status_code == 422
    assert {"settings.host", "settings.port", "settings.sender", "settings.bogus"} <= set(
        bad.get_json()["errors"])
    assert client.get(url, headers=tenant_a.headers()).get_json()["settings"]["host"] == (
        "smtp.a.example")
    assert client.put(url, headers=tenant_a.headers("recruiter"), json=good).status_code == 403
    assert client.get("/api/v1/plugins/nope", headers=tenant_a.headers()).status_code == 404


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Sink:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(envelope)
        return "250 OK"


def test_email_health_check_against_a_real_smtp_server(
    app: Flask, tenant_a: TenantFixture
) -> None:
    port = free_port()
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        client = app.test_client()
        client.put("/api/v1/plugins/channel_email", headers=tenant_a.headers(), json={
            "enabled": True, "settings": {"host": "127.0.0.1", "port": port,
                                          "sender": "t@a.example", "security": "none"}})
        healthy = client.post("/api/v1/plugins/channel_email/health", headers=tenant_a.headers())
        # in the workspace's language (zh-CN)
        assert healthy.get_json() == {"ok": True, "detail": "SMTP 服务器返回了 250"}
    finally:
        controller.stop()
    down = client.post("/api/v1/plugins/channel_email/health", headers=tenant_a.headers())
    assert down.get_json()["ok"] is False
    assert down.get_json()["detail"].startswith("无法连接 SMTP 服务器：")


def test_health_report_type_is_frozen() -> None:
    report = HealthReport(ok=True)
    with pytest.raises(AttributeError):
        report.ok = False  # type: ignore[misc]


def _declared_hooks() -> list[str]:
    tree = ast.parse((ROOT / "saas" / "hooks" / "specs.py").read_text())
    return [n.name for n in tree.body if isinstance(n, ast.FunctionDef)]


@pytest.mark.parametrize("hook", _declared_hooks())
def test_every_hook_is_documented(hook: str) -> None:
    docs = (ROOT / "docs" / "hooks.md").read_text()
    assert f"## {hook}\n" in docs, f"docs/hooks.md needs a '## {hook}' section"


@pytest.mark.parametrize("hook", _declared_hooks())
def test_every_hook_is_prefixed_typed_and_described(hook: str) -> None:
    from saas.hooks import specs

    func = getattr(specs, hook)
    assert hook.startswith("saas_")
    assert func.__doc__ and len(func.__doc__.strip()) > 20
    assert "return" in func.__annotations__


def test_plugin_titles_speak_the_readers_language(app: Flask, tenant_a: TenantFixture) -> None:
    client = app.test_client()
    chinese = client.get("/api/v1/plugins/channel_email", headers=tenant_a.headers()).get_json()
    assert (chinese["title"], chinese["description"][:4]) == ("邮件（SMTP）", "通过企业")
    with app.app_context(), tenant_context(tenant_a.id):
        admin = db.session.get(User, (tenant_a.id, tenant_a.users["tenant_admin"]))
        assert admin is not None
        admin.locale = "en"
        db.session.commit()
    english = client.get("/api/v1/plugins/channel_email", headers=tenant_a.headers()).get_json()
    assert english["title"] == "E-mail (SMTP)"
    assert english["description"].startswith("Sends e-mail through")
