"""``flask keys ...``: rotate the master key and tenant keys; show rotation progress."""

from __future__ import annotations

import sys

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from saas.crypto.master_rotation import run_master_rotation, start_master_rotation
from saas.crypto.rotation import (
    DEFAULT_BATCH,
    RotationProgress,
    progress_of,
    rotation_runs,
    run_tenant_rotation,
    start_tenant_rotation,
)
from saas.extensions import db
from saas.tenancy.models import Tenant

_batch_option = click.option(
    "--batch-size", default=DEFAULT_BATCH, show_default=True, type=click.IntRange(1, 10000),
    help="Keys or values handled per committed batch.")
_max_batches_option = click.option(
    "--max-batches", default=None, type=click.IntRange(1), metavar="N",
    help="Stop after N batches (run the command again to resume).")


@click.group("keys")
def keys_cli() -> None:
    """Rotate master and tenant keys (resumable) and show their progress."""


def _line(run: RotationProgress, slugs: dict[object, str]) -> str:
    who = slugs.get(run.for_tenant_id, str(run.for_tenant_id)) if run.for_tenant_id else "-"
    finished = run.finished_at.isoformat(timespec="seconds") if run.finished_at else "-"
    text = (f"{run.id}\t{run.kind}\t{who}\t{run.status}\t{run.done}/{run.total} "
            f"({run.percent}%)\t{run.started_at.isoformat(timespec='seconds')}\t{finished}")
    return f"{text}\t{run.error}" if run.error else text


def _report(run: RotationProgress) -> None:
    click.echo(f"{run.kind} rotation {run.id}: {run.status}, {run.done}/{run.total} "
               f"({run.percent}%)")
    if run.error:
        click.echo(f"error: {run.error}", err=True)
    if run.status == "failed":
        sys.exit(1)


@keys_cli.command("rotate-master")
@_batch_option
@_max_batches_option
@with_appcontext
def rotate_master_command(batch_size: int, max_batches: int | None) -> None:
    """Re-wrap every tenant key under the newest master key (first in REKINDLE_MASTER_KEYS).

    Starts a run, or resumes the one still running. When it is done, the older
    master keys can be removed from the configuration.
    """
    run = start_master_rotation()
    _report(progress_of(run_master_rotation(run.id, batch_size=batch_size,
                                            max_batches=max_batches)))


@keys_cli.command("rotate-tenant")
@click.argument("slug")
@_batch_option
@_max_batches_option
@with_appcontext
def rotate_tenant_command(slug: str, batch_size: int, max_batches: int | None) -> None:
    """Give tenant SLUG a new data key and re-encrypt everything under the old one.

    Starts a run, or resumes the tenant's run still running. The old key is
    destroyed once nothing refers to it.
    """
    tenant = db.session.scalars(sa.select(Tenant).where(Tenant.slug == slug)).first()
    if tenant is None:
        raise click.ClickException(f"no tenant {slug!r}")
    run = start_tenant_rotation(tenant.id)
    _report(progress_of(run_tenant_rotation(run.id, batch_size=batch_size,
                                            max_batches=max_batches)))


@keys_cli.command("status")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000))
@with_appcontext
def status_command(limit: int) -> None:
    """One line per rotation run, newest first: id, kind, tenant, status, progress, times."""
    runs = list(rotation_runs(limit=limit))
    if not runs:
        click.echo("no key rotations yet")
        return
    rows = db.session.execute(sa.select(Tenant.id, Tenant.slug)).all()
    slugs: dict[object, str] = dict(rows)
    for run in runs:
        click.echo(_line(run, slugs))
