"""``flask --app wsgi templates install-starters --tenant SLUG``: add the starter templates."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from saas.extensions import db
from saas.outreach.templates_service import install_starters
from saas.tenancy.context import tenant_context, unscoped
from saas.tenancy.models import Tenant

templates_cli = click.Group("templates", help="Message templates: the starter templates.")


@templates_cli.command("install-starters")
@click.option("--tenant", "slug", required=True, help="The tenant's slug.")
@with_appcontext
def install_starters_command(slug: str) -> None:
    """Add the starter templates the tenant does not have yet (idempotent)."""
    with unscoped(reason="templates CLI looks the tenant up by its slug"):
        tenant_id = db.session.scalar(sa.select(Tenant.id).where(Tenant.slug == slug))
    if tenant_id is None:
        raise click.ClickException(f"No tenant with the slug {slug!r}.")
    with tenant_context(tenant_id):
        result = install_starters()
        db.session.commit()
    click.echo(f"{slug}: {result.created} starter template(s) added, {result.kept} already there")
