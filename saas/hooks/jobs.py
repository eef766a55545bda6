"""Hourly health check of every enabled plugin that has settings, per tenant."""

from __future__ import annotations

import datetime as dt
import uuid

from saas.extensions import db
from saas.hooks.manager import call_optional, enabled_plugins
from saas.hooks.settings import get_setting_row, plugin_settings
from saas.jobs.schedules import periodic
from saas.tenancy.models import Tenant
from saas.timeutil import utcnow


@periodic("plugin-health", every=dt.timedelta(hours=1))
def check_plugin_health(tenant_id: uuid.UUID, slot: int) -> int:
    """Run each configured plugin's health check once for ``slot``; returns how many ran."""
    tenant = db.session.get(Tenant, tenant_id)
    if tenant is None:
        return 0
    checked = 0
    for name in sorted(enabled_plugins()):
        row = get_setting_row(name)
        if row is None or row.health_slot == slot:
            continue
        outcomes = call_optional(
            "saas_plugin_health_check", tenant.info(), only=name, settings=plugin_settings(name)
        )
        if not outcomes:
            continue
        outcome = outcomes[0]
        row.health_ok = bool(outcome.ok and outcome.result.ok)
        row.health_detail = (outcome.error or outcome.result.detail or "")[:500]
        row.health_checked_at = utcnow()
        row.health_slot = slot
        checked += 1
    return checked
