"""``flask tokens create``."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from saas.auth.tokens import create_token
from saas.auth.users import find_by_email
from saas.extensions import db
from saas.tenancy.context import tenant_context
from saas.tenancy.models import Tenant


@click.group("tokens")
def tokens_cli() -> None:
    """API tokens."""


@tokens_cli.command("create")
@click.option("--tenant", "slug", required=True, help="Tenant slug.")
@click.option("--user", "email", required=True, help="Email of the user the token acts as.")
@click.option("--name", default="CLI token", show_default=True)
@with_appcontext
def create_command(slug: str, email: str, name: str) -> None:
    """Create an API token; the token alone is the last line of output."""
    tenant = db.session.scalars(sa.select(Tenant).where(Tenant.slug == slug)).first()
    if tenant is None:
        raise click.ClickException(f"no tenant with slug {slug!r}")
    with tenant_context(tenant.id):
        user = find_by_email(email)
        if user is None:
            raise click.ClickException(f"no user {email!r} in tenant {slug!r}")
        if not user.is_active:
            raise click.ClickException(f"user {email!r} is disabled")
        _token, text = create_token(user, name)
        db.session.commit()
    click.echo(f"Token for {email} in {slug} (shown once; store it safely):", err=True)
    click.echo(text)
