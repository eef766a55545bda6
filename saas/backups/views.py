"""Settings → Security: this workspace's backups and its encryption-key rotation."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from saas.auth.current import actor, require_permission
from saas.backups.models import BackupRecord
from saas.crypto.rotation import continue_tenant_rotation, rotation_runs, start_tenant_rotation
from saas.extensions import db, limiter
from saas.jobs import enqueue
from saas.tenancy.context import require_tenant_id
from saas.web.navigation import NavItem, add_nav_item

bp = Blueprint("security", __name__, url_prefix="/settings/security",
               template_folder="templates")

add_nav_item(NavItem("security.index", _l("Security"), "settings:read", "settings", 40))


@bp.route("/")
@require_permission("settings:read")
def index() -> ResponseReturnValue:
    tenant_id = require_tenant_id()
    backups = list(db.session.scalars(
        sa.select(BackupRecord).where(BackupRecord.for_tenant_id == tenant_id)
        .order_by(BackupRecord.created_at.desc()).limit(10)))
    runs = list(rotation_runs(tenant_id, limit=5))
    return render_template("security/index.html", backups=backups, runs=runs,
                           current=runs[0] if runs else None)


@bp.route("/rotate-key", methods=["POST"])
@require_permission("settings:write")
@limiter.limit("5 per hour", methods=["POST"])
def rotate_key() -> ResponseReturnValue:
    """Start (or resume) the rotation of this workspace's key; it runs as a background job."""
    tenant_id = require_tenant_id()
    kind, actor_id = actor()
    run = start_tenant_rotation(tenant_id, actor_kind=kind, actor_id=actor_id)
    enqueue(continue_tenant_rotation, tenant_id, str(run.id), job_id=f"key-rotation-{run.id}")
    flash(_("Key rotation started. Everything stays readable while it runs."), "success")
    return redirect(url_for("security.index"))
