"""``enqueue``: run a job on RQ (JSON-serialised) or, without Redis, inline.

A job is a plain function ``func(tenant_id, *args)`` in a domain's jobs.py;
``args`` are ids and JSON values only. Enqueue after committing what the job
needs to read: the job runs in its own session, like a real worker.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable
from typing import Any

from flask import current_app
from redis import Redis
from rq import Queue
from rq.exceptions import DuplicateJobError
from rq.serializers import JSONSerializer

from saas.jobs.runner import RUNNER, function_path, run_job


def redis_connection() -> Redis:
    conn = current_app.extensions.get("rekindle_redis")
    if conn is None:
        conn = Redis.from_url(current_app.config["REDIS_URL"])
        current_app.extensions["rekindle_redis"] = conn
    return conn


def queue_name(name: str = "default") -> str:
    return f"{current_app.config['JOBS_QUEUE_PREFIX']}:{name}"


def get_queue(name: str = "default") -> Queue:
    return Queue(
        queue_name(name),
        connection=redis_connection(),
        serializer=JSONSerializer,
        default_timeout=int(current_app.config["JOBS_DEFAULT_TIMEOUT"]),
    )


def _check_json(args: tuple[Any, ...]) -> list[Any]:
    converted = [str(a) if isinstance(a, uuid.UUID) else a for a in args]
    try:
        json.dumps(converted)
    except TypeError as exc:
        raise TypeError(f"job arguments must be ids and JSON values: {exc}") from exc
    return converted


def enqueue(
    func: Callable[..., Any],
    tenant_id: uuid.UUID | str,
    *args: Any,
    job_id: str | None = None,
    queue: str = "default",
    at: dt.datetime | None = None,
) -> str | None:
    """Run ``func(tenant_id, *args)`` in the background (or now, inline).

    With ``job_id``, a second enqueue of the same id while the first is still
    known to RQ is a no-op (returns ``None``): deterministic ids make periodic
    and retried work run once.
    """
    path = function_path(func)
    payload = [path, str(tenant_id), *_check_json(args)]
    if not current_app.config.get("REDIS_URL"):
        run_job(*payload)
        return job_id
    q = get_queue(queue)
    options: dict[str, Any] = {"job_id": job_id, "unique": job_id is not None}
    try:
        if at is not None:
            job = q.enqueue_at(at, RUNNER, *payload, **options)
        else:
            job = q.enqueue(RUNNER, *payload, **options)
    except DuplicateJobError:
        return None
    return job.id  # type: ignore[no-any-return]
