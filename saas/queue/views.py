"""The queue page: the page a recruiter opens first — who to contact now, and why."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from saas.auth.current import actor, require_permission
from saas.candidates.models import Candidate
from saas.candidates.services import get_candidate
from saas.extensions import db
from saas.queue.api import SEE_ALL_PERMISSION
from saas.queue.decisions import DecisionError, dismiss, snooze, undo_decision
from saas.queue.forms import DismissForm, SnoozeForm
from saas.queue.models import QueueDecision
from saas.queue.ranking import BadCursor, queue_context, rank_queue
from saas.queue.reasons import QueueContext
from saas.tags.labels import code_label
from saas.web.navigation import NavItem, add_nav_item

bp = Blueprint("queue", __name__, url_prefix="/queue", template_folder="templates")
PAGE_SIZE = 25
SET_ASIDE_SHOWN = 20


def _owner_choice() -> uuid.UUID | None:
    """``?owner=all`` shows everyone's queue to those who may see the whole team."""
    if request.values.get("owner") == "all" and current_user.can(SEE_ALL_PERMISSION):
        return None
    return current_user.id  # type: ignore[no-any-return]


def _set_aside(ctx: QueueContext, owner_id: uuid.UUID | None) -> list[tuple[QueueDecision, str]]:
    """Decisions still in force, newest first, with the candidate's name (for undo)."""
    stmt = (sa.select(QueueDecision, Candidate.name)
            .join(Candidate, sa.and_(Candidate.tenant_id == QueueDecision.tenant_id,
                                     Candidate.id == QueueDecision.candidate_id))
            .where(QueueDecision.active_until > ctx.today)
            .order_by(QueueDecision.created_at.desc()).limit(SET_ASIDE_SHOWN))
    if owner_id is not None:
        stmt = stmt.where(Candidate.owner_id == owner_id)
    return [(decision, name) for decision, name in db.session.execute(stmt).all()]


def _render(failed: dict[str, Any] | None = None, status: int = 200) -> ResponseReturnValue:
    ctx = queue_context()
    owner_id = _owner_choice()
    try:
        page = rank_queue(ctx, owner_id=owner_id, limit=PAGE_SIZE,
                          cursor=request.args.get("cursor") or None)
    except BadCursor:
        return redirect(url_for("queue.index"))
    return render_template(
        "queue/index.html", entries=page.entries, next_cursor=page.next_cursor,
        showing_all=owner_id is None, can_see_all=current_user.can(SEE_ALL_PERMISSION),
        can_decide=current_user.can("candidate:write"), set_aside=_set_aside(ctx, owner_id),
        failed=failed or {}, snooze_form=SnoozeForm(formdata=None),
        dismiss_form=DismissForm(formdata=None), channel_label=code_label,
    ), status


@bp.route("")
@require_permission("queue:read")
def index() -> ResponseReturnValue:
    return _render()


def _candidate_or_404(candidate_id: uuid.UUID) -> Candidate:
    candidate = get_candidate(candidate_id)
    if candidate is None:
        abort(404)
    return candidate


def _back() -> ResponseReturnValue:
    owner = request.values.get("owner")
    return redirect(url_for("queue.index", owner=owner) if owner else url_for("queue.index"))


@bp.route("/<uuid:candidate_id>/snooze", methods=["POST"])
@require_permission("candidate:write")
def snooze_candidate(candidate_id: uuid.UUID) -> ResponseReturnValue:
    candidate = _candidate_or_404(candidate_id)
    form = SnoozeForm()
    if form.validate_on_submit():
        ctx = queue_context()
        until = form.until(ctx.today)
        kind, actor_id = actor()
        try:
            snooze(candidate, until, today=ctx.today, reason=form.reason.data,
                   actor_kind=kind, actor_id=actor_id)
        except DecisionError as exc:
            db.session.rollback()
            getattr(form, exc.field, form.reason).errors = [str(exc)]
        else:
            db.session.commit()
            flash(_("%(name)s is snoozed until %(date)s.", name=candidate.name,
                    date=until.isoformat()), "success")
            return _back()
    return _render({"candidate_id": candidate_id, "snooze": form}, status=422)


@bp.route("/<uuid:candidate_id>/dismiss", methods=["POST"])
@require_permission("candidate:write")
def dismiss_candidate(candidate_id: uuid.UUID) -> ResponseReturnValue:
    candidate = _candidate_or_404(candidate_id)
    form = DismissForm()
    if form.validate_on_submit():
        kind, actor_id = actor()
        try:
            dismiss(candidate, form.reason.data, today=queue_context().today,
                    actor_kind=kind, actor_id=actor_id)
        except DecisionError as exc:
            db.session.rollback()
            form.reason.errors = [str(exc)]
        else:
            db.session.commit()
            flash(_("%(name)s is off your queue until there is news.", name=candidate.name),
                  "success")
            return _back()
    return _render({"candidate_id": candidate_id, "dismiss": form}, status=422)


@bp.route("/<uuid:candidate_id>/undo", methods=["POST"])
@require_permission("candidate:write")
def undo(candidate_id: uuid.UUID) -> ResponseReturnValue:
    candidate = _candidate_or_404(candidate_id)
    kind, actor_id = actor()
    if undo_decision(candidate, actor_kind=kind, actor_id=actor_id):
        db.session.commit()
        flash(_("%(name)s is back on the queue.", name=candidate.name), "success")
    return _back()


add_nav_item(NavItem("queue.index", _l("Queue"), "queue:read", "main", 10))
