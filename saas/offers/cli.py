"""``flask --app wsgi offers sweep [--tenant SLUG]``: run the stalled-offer sweep now."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from saas.extensions import db
from saas.offers.sweep import sweep_stalled_offers
from saas.tenancy.context import tenant_context, unscoped
from saas.tenancy.models import Tenant
from saas.timeutil import utcnow

offers_cli = click.Group("offers", help="Offers: the stalled-offer sweep.")


@offers_cli.command("sweep")
@click.option("--tenant", "slug", default=None, help="Only this tenant (its slug).")
@with_appcontext
def sweep_command(slug: str | None) -> None:
    """Stall offers unanswered past respond_by (every active tenant, or one)."""
    with unscoped(reason="offers sweep CLI picks the tenants to sweep"):
        stmt = sa.select(Tenant.id, Tenant.slug).order_by(Tenant.slug)
        stmt = stmt.where(Tenant.slug == slug) if slug else stmt.where(Tenant.status == "active")
        tenants = db.session.execute(stmt).all()
    if slug and not tenants:
        raise click.ClickException(f"No tenant with the slug {slug!r}.")
    now = utcnow()
    for tenant_id, tenant_slug in tenants:
        with tenant_context(tenant_id):
            stalled = sweep_stalled_offers(now)
            db.session.commit()
        click.echo(f"{tenant_slug}: {stalled} offer(s) stalled")
