"""Tenant manifests and the tenants/tokens CLI."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import sqlalchemy as sa
from flask import Flask

from saas.audit.models import AuditEvent
from saas.auth.models import User
from saas.extensions import db
from saas.hooks.models import PluginSetting
from saas.tenancy.context import tenant_context
from saas.tenancy.models import Tenant

GOOD = """
slug = "{slug}"
name = "Acme Robotics"
locale = "zh-CN"
timezone = "Asia/Shanghai"
plan = "standard"

[[users]]
email = "admin@{slug}.example"
name = "Li Na"
role = "tenant_admin"
password_env = "ACME_ADMIN_PASSWORD_{tag}"

[[users]]
email = "rec@{slug}.example"
name = "Wang Fang"
role = "recruiter"
password = "recruiter-demo-password"

[plugins.channel_email]
host = "127.0.0.1"
port = 1025
sender = "talent@{slug}.example"
password = "smtp-secret-value"

[policy]
max_messages_per_30_days = 2
quiet_hours = "21:00-09:00"
channel_order = ["wechat", "email", "sms", "linkedin"]
"""


def write(tmp_path: Path, text: str, name: str = "acme.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def good_manifest(tmp_path: Path, monkeypatch: object) -> tuple[Path, str]:
    tag = uuid.uuid4().hex[:6].upper()
    slug = f"acme-{tag.lower()}"
    monkeypatch.setenv(f"ACME_ADMIN_PASSWORD_{tag}", "admin-password-from-env")  # type: ignore[attr-defined]
    return write(tmp_path, GOOD.format(slug=slug, tag=tag)), slug


def test_apply_creates_then_is_idempotent(app: Flask, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    path, slug = good_manifest(tmp_path, monkeypatch)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["tenants", "apply", str(path)])
    assert first.exit_code == 0, first.output
    assert f"{slug}: created" in first.output
    second = runner.invoke(args=["tenants", "apply", str(path)])
    assert second.exit_code == 0 and f"{slug}: unchanged" in second.output
    listed = runner.invoke(args=["tenants", "list"])
    assert f"{slug}\tAcme Robotics\tstandard\tactive" in listed.output
    with app.app_context():
        tenant = db.session.scalars(sa.select(Tenant).where(Tenant.slug == slug)).one()
        assert tenant.policy["max_messages_per_30_days"] == 2
        with tenant_context(tenant.id):
            emails = {user.email for user in db.session.scalars(sa.select(User))}
            assert emails == {f"admin@{slug}.example", f"rec@{slug}.example"}
            plugin = db.session.scalars(sa.select(PluginSetting)).one()
            assert plugin.enabled and plugin.secrets == {"password": "smtp-secret-value"}
            applied = db.session.scalars(
                sa.select(AuditEvent).where(AuditEvent.action == "tenant.applied")
            ).all()
            assert len(applied) == 1


def test_reapply_updates_what_changed(app: Flask, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    path, slug = good_manifest(tmp_path, monkeypatch)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["tenants", "apply", str(path)]).exit_code == 0
    text = path.read_text().replace('name = "Wang Fang"', 'name = "Wang Fang Jr"')
    before_plugins, _, rest = text.partition("[plugins.channel_email]")
    edited = before_plugins + "[policy]" + rest.partition("[policy]")[2]
    path.write_text(edited)
    result = runner.invoke(args=["tenants", "apply", str(path)])
    assert result.exit_code == 0, result.output
    assert f"{slug}: updated" in result.output
    with app.app_context():
        tenant = db.session.scalars(sa.select(Tenant).where(Tenant.slug == slug)).one()
        with tenant_context(tenant.id):
            names = set(db.session.scalars(sa.select(User.name)))
            assert "Wang Fang Jr" in names
            assert not db.session.scalars(sa.select(PluginSetting)).one().enabled


def _assert_rejected(app: Flask, path: Path, *fragments: str) -> None:
    before = _tenant_count(app)
    result = app.test_cli_runner().invoke(args=["tenants", "apply", str(path)])
    assert result.exit_code != 0
    for fragment in fragments:
        assert fragment in result.output, result.output
    assert "Nothing was changed." in result.output
    assert _tenant_count(app) == before


def _tenant_count(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(sa.select(sa.func.count()).select_from(Tenant)) or 0)


def test_invalid_manifest_names_file_key_and_problem(
    app: Flask, tmp_path: Path, monkeypatch  # type: ignore[no-untyped-def]
) -> None:
    path, _slug = good_manifest(tmp_path, monkeypatch)
    text = path.read_text()
    bad = write(tmp_path, text.replace('locale = "zh-CN"', 'locale = "fr"').replace(
        'role = "recruiter"', 'role = "wizard"').replace(
        'timezone = "Asia/Shanghai"', 'timezone = "Mars/Base"'), "bad.toml")
    _assert_rejected(app, bad, f"{bad}: locale:", f"{bad}: users[1].role:", "timezone")


def test_unknown_plugin_and_bad_plugin_settings(
    app: Flask, tmp_path: Path, monkeypatch  # type: ignore[no-untyped-def]
) -> None:
    path, _slug = good_manifest(tmp_path, monkeypatch)
    text = path.read_text()
    unknown = write(tmp_path, text + "\n[plugins.channel_pigeon]\nspeed = 3\n", "unknown.toml")
    _assert_rejected(app, unknown, "plugins.channel_pigeon: unknown plugin")
    bad_text = re.sub(r'sender = ".*"', 'sender = "not an email"', text)
    bad_settings = write(
        tmp_path, bad_text.replace("port = 1025", 'port = "many"'), "badsettings.toml")
    _assert_rejected(app, bad_settings, "plugins.channel_email.port:",
                     "plugins.channel_email.sender:")


def test_missing_password_env_broken_toml_and_missing_file(
    app: Flask, tmp_path: Path, monkeypatch  # type: ignore[no-untyped-def]
) -> None:
    path, _slug = good_manifest(tmp_path, monkeypatch)
    no_env = write(tmp_path, path.read_text().replace(
        "password_env = \"ACME", "password_env = \"NOPE"), "noenv.toml")
    _assert_rejected(app, no_env, "users[0].password_env", "is not set")
    broken = write(tmp_path, "slug = \n", "broken.toml")
    _assert_rejected(app, broken, f"{broken}: not valid TOML")
    _assert_rejected(app, tmp_path / "absent.toml", "file not found")
    weak = write(tmp_path, path.read_text().replace(
        "recruiter-demo-password", "password1234"), "weak.toml")
    _assert_rejected(app, weak, "users[1].password:", "too common")


def test_one_bad_manifest_stops_all(app: Flask, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    good, slug = good_manifest(tmp_path, monkeypatch)
    bad = write(tmp_path, 'slug = "X Y"\nname = ""\n', "bad.toml")
    _assert_rejected(app, bad, "slug:")
    result = app.test_cli_runner().invoke(args=["tenants", "apply", str(good), str(bad)])
    assert result.exit_code != 0
    with app.app_context():
        assert db.session.scalars(sa.select(Tenant).where(Tenant.slug == slug)).first() is None


def test_demo_manifest_applies(app: Flask) -> None:
    demo = Path(__file__).resolve().parents[2] / "tenants" / "demo.toml"
    result = app.test_cli_runner().invoke(args=["tenants", "apply", str(demo)])
    assert result.exit_code == 0, result.output


def test_tokens_create_prints_token_last(app: Flask, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    path, slug = good_manifest(tmp_path, monkeypatch)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["tenants", "apply", str(path)]).exit_code == 0
    result = runner.invoke(args=["tokens", "create", "--tenant", slug, "--user",
                                 f"rec@{slug}.example", "--name", "ci"])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip().splitlines()[-1]
    me = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.get_json()["role"] == "recruiter"
    nobody = runner.invoke(args=["tokens", "create", "--tenant", slug, "--user", "x@y.example"])
    assert nobody.exit_code != 0 and "no user" in nobody.output


def test_staff_add(app: Flask, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    email = f"cs-{uuid.uuid4().hex[:6]}@rekindle.example"
    monkeypatch.setenv("STAFF_PW", "staff-password-long-enough")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["tenants", "staff", "add", email, "--password-env", "STAFF_PW"])
    assert result.exit_code == 0, result.output
    again = runner.invoke(args=["tenants", "staff", "add", email, "--password-env", "STAFF_PW"])
    assert again.exit_code != 0 and "already exists" in again.output
    bad = runner.invoke(args=["tenants", "staff", "add", "not-an-email", "--password-env",
                              "STAFF_PW"])
    assert bad.exit_code != 0
