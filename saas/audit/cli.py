"""``flask --app wsgi audit verify [--tenant SLUG]``: prove nobody tampered with the trails."""

from __future__ import annotations

import sys

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from saas.audit.verify import VerifyResult, verify_chain
from saas.extensions import db
from saas.tenancy.context import unscoped
from saas.tenancy.models import Tenant

audit_cli = click.Group("audit", help="The audit trails: tamper-evidence checks.")


def _report(name: str, result: VerifyResult) -> None:
    older = f"; {result.before_chain} from before the chain" if result.before_chain else ""
    if result.ok:
        click.echo(f"{name}: ok ({result.events} events{older})")
        return
    click.echo(f"{name}: {result.problem_count} problem(s) in {result.events} events{older}")
    for problem in result.problems:
        click.echo(f"  - {problem.kind}: {problem.message()}")
    if result.unlisted:
        click.echo(f"  … and {result.unlisted} more")


@audit_cli.command("verify")
@click.option("--tenant", "slug", default=None,
              help="Only this tenant's trail (its slug); default: every tenant and the platform.")
@with_appcontext
def verify_command(slug: str | None) -> None:
    """Walk each trail, recompute every hash and link; exit 1 on any problem."""
    with unscoped(reason="audit verify CLI lists the tenants whose trails it checks"):
        stmt = sa.select(Tenant.id, Tenant.slug).order_by(Tenant.slug)
        if slug:
            stmt = stmt.where(Tenant.slug == slug)
        tenants = db.session.execute(stmt).all()
    if slug and not tenants:
        raise click.ClickException(f"No tenant with the slug {slug!r}.")
    clean = True
    for tenant_id, tenant_slug in tenants:
        result = verify_chain(tenant_id)
        db.session.rollback()  # end the read transaction before the next trail
        _report(tenant_slug, result)
        clean = clean and result.ok
    if not slug:
        result = verify_chain(None)
        db.session.rollback()
        _report("platform", result)
        clean = clean and result.ok
    if not clean:
        sys.exit(1)
