"""The audit page (``/settings/audit``): search the trail, verify it, export it."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, flash, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from saas.audit.display import detail_entries, kind_label, openable_targets, short_id
from saas.audit.export import MAX_EXPORT_EVENTS, ExportFormat, ExportTooLarge, export_trail
from saas.audit.forms import AuditFilterForm
from saas.audit.labels import ACTOR_KIND_LABELS, OUTCOME_LABELS, action_label
from saas.audit.search import CursorInvalid, actor_names, event_page
from saas.audit.verify import VerifyResult, verify_and_record
from saas.auth.current import actor, require_permission
from saas.extensions import db, limiter
from saas.tenancy.context import require_tenant_id
from saas.web.navigation import NavItem, add_nav_item

bp = Blueprint("audit", __name__, url_prefix="/settings/audit", template_folder="templates")
PAGE_SIZE = 50
FORMATS: dict[str, ExportFormat] = {"csv": "csv", "json": "json"}

add_nav_item(NavItem("audit.index", _l("Audit trail"), "audit:read", "settings", 40))


def _per_user() -> str:
    """Limits count per signed-in person (their address when the session is gone)."""
    return f"audit-user:{getattr(current_user, 'id', None) or request.remote_addr}"


def _served(response: Response) -> bool:
    return response.status_code == 200


def _render(form: AuditFilterForm, *, result: VerifyResult | None = None,
            status: int = 200) -> ResponseReturnValue:
    events: list[Any] = []
    next_cursor = None
    if not form.errors:
        try:
            events, next_cursor = event_page(form.to_filter(), PAGE_SIZE,
                                             request.args.get("cursor") or None)
        except CursorInvalid:
            flash(_("That page link is out of date; here is the first page."), "info")
            events, next_cursor = event_page(form.to_filter(), PAGE_SIZE, None)
    return render_template(
        "audit/index.html", form=form, events=events, next_cursor=next_cursor,
        names=actor_names(events), result=result, filters=form.query_args(),
        action_label=action_label, outcome_labels=OUTCOME_LABELS,
        actor_kind_labels=ACTOR_KIND_LABELS, kind_label=kind_label, short_id=short_id,
        detail_entries=detail_entries,
        pages=openable_targets(events, candidates=current_user.can("candidate:read"),
                               users=current_user.can("user:read")),
    ), status


@bp.route("")
@require_permission("audit:read")
def index() -> ResponseReturnValue:
    form = AuditFilterForm(formdata=request.args)
    valid = form.validate()
    return _render(form, status=200 if valid else 422)


@bp.route("/verify", methods=["POST"])
@require_permission("audit:read")
@limiter.limit(lambda: current_app.config.get("AUDIT_VERIFY_LIMIT", "30 per hour"),
               key_func=_per_user)
def verify() -> ResponseReturnValue:
    kind, actor_id = actor()
    result = verify_and_record(require_tenant_id(), actor_kind=kind, actor_id=actor_id)
    db.session.commit()
    form = AuditFilterForm(formdata=None)
    return _render(form, result=result)


@bp.route("/export", methods=["POST"])
@require_permission("audit:read")
@limiter.limit(lambda: current_app.config.get("AUDIT_EXPORT_LIMIT", "10 per hour"),
               key_func=_per_user, deduct_when=_served)
def export() -> ResponseReturnValue:
    form = AuditFilterForm()
    fmt = FORMATS.get(request.form.get("format", ""))
    if fmt is None:
        flash(_("Choose CSV or JSON for the export."), "error")
        return _render(form, status=422)
    if not form.validate():
        return _render(form, status=422)
    kind, actor_id = actor()
    try:
        exported = export_trail(form.to_filter(), fmt, actor_kind=kind, actor_id=actor_id)
    except ExportTooLarge as exc:
        flash(_("%(count)d events match: narrow the dates to export at most %(max)d at once.",
                count=exc.count, max=MAX_EXPORT_EVENTS), "error")
        return _render(form, status=422)
    db.session.commit()
    return Response(exported.content, mimetype=exported.mimetype, headers={
        "Content-Disposition": f'attachment; filename="{exported.filename}"'})
