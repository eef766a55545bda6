"""Every CLI group, registered on the app."""

from __future__ import annotations

from flask import Flask


def register_commands(app: Flask) -> None:
    from saas.audit.cli import audit_cli
    from saas.auth.cli import tokens_cli
    from saas.crypto.cli import keys_cli
    from saas.jobs.cli import scheduler_command, worker_command
    from saas.offers.cli import offers_cli
    from saas.outreach.templates_cli import templates_cli
    from saas.tenancy.cli import tenants_cli

    app.cli.add_command(tenants_cli)
    app.cli.add_command(tokens_cli)
    app.cli.add_command(worker_command)
    app.cli.add_command(scheduler_command)
    app.cli.add_command(offers_cli)
    app.cli.add_command(audit_cli)
    app.cli.add_command(keys_cli)
    app.cli.add_command(templates_cli)
