"""``flask tenants ...``: apply manifests, list tenants, add platform staff."""

from __future__ import annotations

import os
import sys

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from saas import audit
from saas.auth.models import StaffUser
from saas.auth.passwords import PasswordPolicyError, hash_password
from saas.backups.cli import backup_command, restore_command
from saas.extensions import db
from saas.tenancy.manifests import ManifestError, apply_manifests
from saas.tenancy.models import Tenant


@click.group("tenants")
def tenants_cli() -> None:
    """Create, update and list tenants."""


tenants_cli.add_command(backup_command)
tenants_cli.add_command(restore_command)


@tenants_cli.command("apply")
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False))
@with_appcontext
def apply_command(paths: tuple[str, ...]) -> None:
    """Create or update the tenants in the manifests (all or nothing; idempotent)."""
    try:
        results = apply_manifests(paths)
    except ManifestError as exc:
        for problem in exc.problems:
            click.echo(f"error: {problem}", err=True)
        click.echo("Nothing was changed.", err=True)
        sys.exit(1)
    for result in results:
        shown = result.changes if result.outcome == "updated" else ()
        extra = f" ({', '.join(shown)})" if shown else ""
        click.echo(f"{result.slug}: {result.outcome}{extra}")


@tenants_cli.command("seed")
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False, exists=True))
@click.option("--tenant", "slug", required=True, help="The tenant's slug.")
@with_appcontext
def seed_command(paths: tuple[str, ...], slug: str) -> None:
    """Load candidates with their timelines and offers, and the company's openings and
    change events, from JSON-lines files (e.g. demo data); all or nothing, idempotent."""
    from saas.candidates.seed import SeedError, load_seed_files
    from saas.tenancy.context import tenant_context

    tenant = db.session.scalars(sa.select(Tenant).where(Tenant.slug == slug)).first()
    if tenant is None:
        raise click.ClickException(f"no tenant {slug!r}")
    try:
        with tenant_context(tenant.id):
            result = load_seed_files(paths)
    except SeedError as exc:
        for problem in exc.problems:
            click.echo(problem, err=True)
        raise click.ClickException(f"{len(exc.problems)} problem(s); nothing was loaded") from exc
    click.echo(f"{slug}: {result.created} candidates added ({result.skipped} already there), "
               f"{result.interactions} interactions, {result.offers} offers; "
               f"{result.openings} openings and {result.change_events} change events added "
               f"({result.company_skipped} already there)")


@tenants_cli.command("list")
@with_appcontext
def list_command() -> None:
    """One line per tenant: slug, name, plan, status."""
    for tenant in db.session.scalars(sa.select(Tenant).order_by(Tenant.slug)):
        click.echo(f"{tenant.slug}\t{tenant.name}\t{tenant.plan}\t{tenant.status}")


@tenants_cli.group("staff")
def staff_cli() -> None:
    """Platform customer-success accounts."""


@staff_cli.command("add")
@click.argument("email")
@click.option("--name", default="", help="Display name (defaults to the email's local part).")
@click.option("--password-env", default=None, help="Read the password from this variable.")
@with_appcontext
def staff_add_command(email: str, name: str, password_env: str | None) -> None:
    """Create a platform customer-success account (every action it takes is audited)."""
    from email_validator import EmailNotValidError, validate_email

    try:
        email = validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise click.BadParameter(str(exc), param_hint="EMAIL") from exc
    if db.session.scalars(sa.select(StaffUser).where(StaffUser.email == email)).first():
        raise click.ClickException(f"staff account {email} already exists")
    if password_env:
        password = os.environ.get(password_env, "")
        if not password:
            raise click.ClickException(f"environment variable {password_env} is not set")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        password_hash = hash_password(password)
    except PasswordPolicyError as exc:
        raise click.ClickException(str(exc)) from exc
    staff = StaffUser(email=email, name=name or email.split("@")[0], password_hash=password_hash)
    db.session.add(staff)
    db.session.flush()
    audit.record("staff.created", actor_kind="system", target_kind="staff", target_id=staff.id)
    db.session.commit()
    click.echo(f"created staff account {email}")
