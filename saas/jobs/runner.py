"""What a worker actually runs: the job inside the app and the job's tenant."""

from __future__ import annotations

import importlib
import uuid
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, has_app_context

from saas.extensions import db
from saas.tenancy.context import tenant_context

RUNNER = "saas.jobs.runner.run_job"
_worker_app: Flask | None = None


def function_path(func: Callable[..., Any]) -> str:
    path = f"{func.__module__}:{func.__qualname__}"
    if "<" in path:
        raise ValueError("jobs must be module-level functions")
    return path


def resolve(path: str) -> Callable[..., Any]:
    module_name, _, attr = path.partition(":")
    if not module_name.startswith(("saas.", "plugins.")):
        raise ValueError(f"refusing to run {path!r}: jobs live in saas or plugins")
    target: Any = importlib.import_module(module_name)
    for part in attr.split("."):
        target = getattr(target, part)
    if not callable(target):
        raise TypeError(f"{path} is not callable")
    return target  # type: ignore[no-any-return]


def set_worker_app(app: Flask) -> None:
    global _worker_app
    _worker_app = app


def run_job(path: str, tenant_id: str, *args: Any) -> Any:
    """Run one job: fresh app context (own session), tenant scope, commit or roll back."""
    func = resolve(path)
    tenant = uuid.UUID(tenant_id)
    app = current_app._get_current_object() if has_app_context() else _worker_app  # type: ignore[attr-defined]
    if app is None:
        raise RuntimeError("no Flask app for this job; start workers with `flask worker`")
    with app.app_context(), tenant_context(tenant):
        try:
            result = func(tenant, *args)
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
    return result
