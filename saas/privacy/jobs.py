"""Daily: the retention pass (warn 30 days ahead, then erase), per tenant."""

from __future__ import annotations

import datetime as dt
import uuid

from saas.extensions import db
from saas.jobs.schedules import periodic
from saas.privacy import consent  # noqa: F401  (do_not_contact records a withdrawal)
from saas.privacy.retention import run_retention
from saas.tenancy.models import Tenant


@periodic("retention", every=dt.timedelta(days=1))
def apply_retention(tenant_id: uuid.UUID, slot: int) -> dict[str, int]:
    """Run the tenant's retention pass; returns what it did (nothing when the policy is off)."""
    tenant = db.session.get(Tenant, tenant_id)
    if tenant is None:
        return {"warned": 0, "erased": 0, "dropped": 0}
    run = run_retention(tenant)
    return {"warned": run.warned, "erased": run.erased, "dropped": run.dropped}
