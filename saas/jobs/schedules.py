"""Periodic work: one job per tenant per time slot, with deterministic ids.

Domains declare schedules with :func:`periodic`. ``flask --app wsgi scheduler``
calls :func:`enqueue_due` every few seconds; the job id
``periodic-<name>-<tenant>-<slot>`` makes a slot run once however many
schedulers run or restart. Jobs receive ``(tenant_id, slot)``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from saas.extensions import db
from saas.jobs.queue import enqueue
from saas.tenancy.context import unscoped
from saas.tenancy.models import Tenant


@dataclass(frozen=True)
class Schedule:
    name: str
    func: Callable[..., Any]
    every: dt.timedelta
    queue: str = "default"

    def slot(self, now: dt.datetime) -> int:
        return int(now.timestamp() // self.every.total_seconds())


SCHEDULES: dict[str, Schedule] = {}


def periodic(
    name: str, every: dt.timedelta, queue: str = "default"
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare ``func(tenant_id, slot)`` to run for every active tenant each ``every``."""

    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        SCHEDULES[name] = Schedule(name=name, func=func, every=every, queue=queue)
        return func

    return register


def job_id(schedule: Schedule, tenant_id: object, slot: int) -> str:
    return f"periodic-{schedule.name}-{tenant_id}-{slot}"


def enqueue_due(now: dt.datetime) -> list[str]:
    """Enqueue this slot's job of every schedule for every active tenant."""
    with unscoped(reason="scheduler fans periodic jobs out to every active tenant"):
        tenant_ids = db.session.scalars(
            sa.select(Tenant.id).where(Tenant.status == "active")
        ).all()
    enqueued: list[str] = []
    for schedule in SCHEDULES.values():
        slot = schedule.slot(now)
        for tenant_id in tenant_ids:
            ident = job_id(schedule, tenant_id, slot)
            if enqueue(schedule.func, tenant_id, slot, job_id=ident, queue=schedule.queue):
                enqueued.append(ident)
    return enqueued
