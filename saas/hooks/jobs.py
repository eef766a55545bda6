"""Hourly health check of every enabled plugin that has settings, per tenant."""

from __future__ import annotations

import datetime as dt
import uuid

from saas.extensions import db
from saas.hooks.health import run_health_check
from saas.hooks.manager import enabled_plugins
from saas.hooks.settings import get_setting_row
from saas.jobs.schedules import periodic
from saas.tenancy.models import Tenant


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
        if run_health_check(tenant, name, slot) is None:
            continue
        checked += 1
    return checked
