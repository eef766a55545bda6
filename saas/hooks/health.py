"""Running a plugin's health check for a tenant and keeping the result on its settings row."""

from __future__ import annotations

from dataclasses import dataclass

from saas.hooks.manager import call_optional
from saas.hooks.settings import get_setting_row, plugin_settings
from saas.tenancy.models import Tenant
from saas.timeutil import utcnow


@dataclass(frozen=True)
class HealthResult:
    ok: bool
    detail: str


def run_health_check(tenant: Tenant, name: str, slot: int | None = None) -> HealthResult | None:
    """Check ``name`` with the tenant's settings; ``None`` when it is off or has no check."""
    outcomes = call_optional(
        "saas_plugin_health_check", tenant.info(), only=name, settings=plugin_settings(name)
    )
    if not outcomes:
        return None
    outcome = outcomes[0]
    result = HealthResult(
        ok=bool(outcome.ok and outcome.result.ok),
        detail=(outcome.error or outcome.result.detail or "")[:500],
    )
    row = get_setting_row(name)
    if row is not None:
        row.health_ok = result.ok
        row.health_detail = result.detail
        row.health_checked_at = utcnow()
        if slot is not None:
            row.health_slot = slot
    return result
