"""``flask worker`` and ``flask scheduler``."""

from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import with_appcontext
from rq import Worker
from rq.serializers import JSONSerializer

from saas.extensions import db
from saas.jobs.queue import queue_name, redis_connection
from saas.jobs.runner import set_worker_app
from saas.jobs.schedules import enqueue_due
from saas.timeutil import utcnow


def _require_redis() -> None:
    if not current_app.config.get("REDIS_URL"):
        raise click.ClickException(
            "REKINDLE_REDIS_URL is not set: without Redis, jobs run inline and "
            "no worker is needed."
        )


@click.command("worker")
@click.argument("queues", nargs=-1)
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@with_appcontext
def worker_command(queues: tuple[str, ...], burst: bool) -> None:
    """Run an RQ worker with the app context (needs REKINDLE_REDIS_URL)."""
    _require_redis()
    set_worker_app(current_app._get_current_object())  # type: ignore[attr-defined]
    db.engine.dispose()
    names = [queue_name(q) for q in (queues or ("default",))]
    worker = Worker(names, connection=redis_connection(), serializer=JSONSerializer)
    worker.work(burst=burst, with_scheduler=True)


@click.command("scheduler")
@click.option("--once", is_flag=True, help="Enqueue what is due now and exit.")
@click.option("--interval", default=30, show_default=True, help="Seconds between checks.")
@with_appcontext
def scheduler_command(once: bool, interval: int) -> None:
    """Enqueue periodic jobs (one per tenant per slot; safe to run twice)."""
    _require_redis()
    while True:
        enqueued = enqueue_due(utcnow())
        db.session.remove()
        click.echo(f"enqueued {len(enqueued)} periodic job(s)")
        if once:
            return
        time.sleep(interval)
