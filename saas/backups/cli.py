"""``flask tenants backup`` and ``flask tenants restore`` (registered on the tenants group)."""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from saas.backups.service import RestoreRefused, backup_tenant, restore_tenant
from saas.extensions import db
from saas.tenancy.models import Tenant


@click.command("backup")
@click.argument("slug")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The archive file to write.")
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@with_appcontext
def backup_command(slug: str, out: Path, force: bool) -> None:
    """Write an encrypted, integrity-checked backup of tenant SLUG to FILE."""
    tenant = db.session.scalars(sa.select(Tenant).where(Tenant.slug == slug)).first()
    if tenant is None:
        raise click.ClickException(f"no tenant {slug!r}")
    if out.exists() and not force:
        raise click.ClickException(f"{out} exists; pass --force to replace it")
    if out.parent != Path() and not out.parent.is_dir():
        raise click.ClickException(f"directory {out.parent} does not exist")
    result = backup_tenant(tenant, out)
    rows = sum(result.manifest.counts.values())
    click.echo(f"{slug}: {rows} rows in {len(result.manifest.counts)} tables -> {result.path} "
               f"({result.size} bytes, sha256 {result.sha256})")


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--as", "as_slug", default=None, metavar="SLUG",
              help="Restore under this slug instead of the archived one.")
@with_appcontext
def restore_command(file: Path, as_slug: str | None) -> None:
    """Restore a tenant from a backup FILE (all or nothing), optionally as a new SLUG."""
    if not file.is_file():
        raise click.ClickException(f"{file}: no such file")
    try:
        result = restore_tenant(file, as_slug=as_slug)
    except RestoreRefused as exc:
        click.echo(f"error: {exc}", err=True)
        click.echo("Nothing was restored.", err=True)
        raise SystemExit(1) from exc
    how = "under a new tenant id (re-encrypted)" if result.new_tenant_id else "with its tenant id"
    click.echo(f"{result.slug}: restored {result.rows} rows {how}")
    if result.skipped_erased_candidates:
        click.echo(f"{result.skipped_erased_candidates} candidates erased since the backup "
                   "were left out")
    if result.audit_chain_rebuilt is False:
        click.echo("warning: the archived audit trail did not verify; it was restored as it was",
                   err=True)
    if result.unreadable_values:
        click.echo(f"warning: {result.unreadable_values} values could not be decrypted and were "
                   "copied as they were", err=True)
