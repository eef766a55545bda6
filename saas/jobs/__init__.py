"""Background jobs on RQ (inline without Redis)."""

from saas.jobs.queue import enqueue
from saas.jobs.schedules import periodic

__all__ = ["enqueue", "periodic"]
