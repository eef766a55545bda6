"""Jobs inline and through a real Redis with a real worker; periodic slots run once."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from redis import Redis

from saas.app import create_app
from saas.extensions import db
from saas.hooks.jobs import check_plugin_health
from saas.hooks.models import PluginSetting
from saas.hooks.settings import configure_plugin
from saas.jobs import enqueue
from saas.jobs.queue import get_queue
from saas.jobs.runner import resolve
from saas.jobs.schedules import SCHEDULES, enqueue_due
from saas.tenancy.context import tenant_context
from tests.conftest import app_config
from tests.factories import TenantFixture, make_tenant

ROOT = Path(__file__).resolve().parents[2]


def _configure_dead_smtp(app: Flask, tenant: TenantFixture) -> None:
    with app.app_context(), tenant_context(tenant.id):
        configure_plugin("channel_email", enabled=True, settings={
            "host": "127.0.0.1", "port": 9, "sender": "t@a.example", "security": "none",
            "timeout_seconds": 1})
        db.session.commit()


def _email_row(app: Flask, tenant: TenantFixture) -> PluginSetting:
    with app.app_context(), tenant_context(tenant.id):
        row = db.session.scalars(
            sa.select(PluginSetting).where(PluginSetting.plugin_name == "channel_email")).one()
        db.session.expunge(row)
        return row


def test_inline_job_runs_in_its_tenant_and_twice_is_once(
    app: Flask, tenant_a: TenantFixture
) -> None:
    _configure_dead_smtp(app, tenant_a)
    with app.app_context():
        enqueue(check_plugin_health, tenant_a.id, 41)
        first = _email_row(app, tenant_a)
        assert first.health_ok is False and first.health_slot == 41
        assert "cannot reach" in (first.health_detail or "")
        enqueue(check_plugin_health, tenant_a.id, 41)
        again = _email_row(app, tenant_a)
        assert again.health_checked_at == first.health_checked_at


def test_job_arguments_must_be_json(app: Flask, tenant_a: TenantFixture) -> None:
    with app.app_context(), pytest.raises(TypeError):
        enqueue(check_plugin_health, tenant_a.id, object())


def test_only_saas_and_plugin_functions_run() -> None:
    with pytest.raises(ValueError):
        resolve("os:system")
    assert resolve("saas.hooks.jobs:check_plugin_health") is check_plugin_health


def test_periodic_job_registered() -> None:
    assert SCHEDULES["plugin-health"].every == dt.timedelta(hours=1)


def test_jobs_through_redis_and_a_real_worker(
    database_urls: tuple[str, str], redis_url: str
) -> None:
    config = app_config(database_urls, REDIS_URL=redis_url)
    redis_app = create_app(config)
    tenant = make_tenant(redis_app, "jobs", roles=("tenant_admin",))
    _configure_dead_smtp(redis_app, tenant)
    Redis.from_url(redis_url).ping()
    with redis_app.app_context():
        job_id = enqueue(check_plugin_health, tenant.id, 7, job_id=f"health-{tenant.id}-7")
        assert job_id is not None
        assert enqueue(check_plugin_health, tenant.id, 7, job_id=f"health-{tenant.id}-7") is None
        queue = get_queue()
        assert queue.count == 1
        payload = queue.fetch_job(job_id)
        assert payload is not None and payload.args[1] == str(tenant.id)
        assert _email_row(redis_app, tenant).health_slot is None  # nothing ran inline
    env = {**os.environ, "REKINDLE_ENV": "testing"}
    env.update({f"REKINDLE_{k}": str(v) for k, v in config.items() if k != "ENV"})
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--burst"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    row = _email_row(redis_app, tenant)
    assert row.health_slot == 7 and row.health_ok is False
    with redis_app.app_context():
        now = dt.datetime(2030, 1, 1, 12, 30, tzinfo=dt.UTC)
        first = enqueue_due(now)
        assert any(str(tenant.id) in ident for ident in first)
        again = enqueue_due(now + dt.timedelta(minutes=5))
        # The hourly health check is not due again in the same slot (jobs that run
        # every minute, like the outbox sweeper, are).
        assert not [i for i in again if i.startswith("periodic-plugin-health-")]
        get_queue().empty()
