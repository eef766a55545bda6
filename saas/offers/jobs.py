"""Hourly: stall every offer left unanswered past its respond-by date, per tenant."""

from __future__ import annotations

import datetime as dt
import uuid

from saas.jobs.schedules import periodic
from saas.offers.sweep import sweep_stalled_offers
from saas.timeutil import utcnow


@periodic("offer-sweep", every=dt.timedelta(hours=1))
def sweep_offers(tenant_id: uuid.UUID, slot: int) -> int:
    """Run the stalled-offer sweep for the job's tenant; returns how many offers stalled."""
    return sweep_stalled_offers(utcnow())
