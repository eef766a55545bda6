"""Pages: compose a message to a candidate (preview, routing, policy, send), a sent
message's status, and the replies nobody could be matched to (admins)."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField

from saas.auth.current import actor, require_permission
from saas.candidates.models import CHANNELS, Candidate
from saas.candidates.services import get_candidate, values_of
from saas.extensions import db
from saas.outreach.inbound import unmatched_replies
from saas.outreach.models import Template
from saas.outreach.outbox import (
    IdempotencyConflict,
    OutreachPlan,
    OutreachRefused,
    get_message,
    message_document,
    plan_message,
    queue_message,
)
from saas.outreach.policy import policy_text
from saas.tags.labels import code_label
from saas.timeutil import utcnow

bp = Blueprint("outreach", __name__, url_prefix="/outreach", template_folder="templates")

STATE_LABELS = {
    "blocked": _l("Blocked"), "scheduled": _l("Scheduled"), "queued": _l("Queued"),
    "sending": _l("Sending"), "sent": _l("Sent"), "delivered": _l("Delivered"),
    "failed": _l("Failed"),
}


class ComposeForm(FlaskForm):  # type: ignore[misc]
    candidate_id = HiddenField()
    template_id = SelectField(_l("Template"), choices=[], validate_choice=True)
    channel = SelectField(_l("Channel"), choices=[], validate_choice=True)


def _candidate_or_404(raw: str | None) -> Candidate:
    try:
        candidate_id = uuid.UUID(raw or "")
    except ValueError:
        abort(404)
    candidate = get_candidate(candidate_id)
    if candidate is None:
        abort(404)
    return candidate


def suggested_templates(candidate: Candidate) -> list[tuple[Template, bool]]:
    """Every template, one per name (the candidate's language first); those written for
    the candidate's primary reason or values come first, marked as suggested."""
    locale = candidate.locale or ""
    wanted = {candidate.reason, *values_of(candidate.id)} - {None}
    chosen: dict[str, Template] = {}
    rows = db.session.scalars(sa.select(Template).order_by(Template.name, Template.channel))
    for row in rows:
        best = chosen.get(row.name)
        if best is None or (row.locale == locale and best.locale != locale):
            chosen[row.name] = row
    ranked = sorted(chosen.values(), key=lambda t: (
        t.purpose != candidate.reason, t.purpose not in wanted, t.name))
    return [(t, t.purpose in wanted) for t in ranked]


def _form(candidate: Candidate, choices: list[tuple[Template, bool]],
          formdata: Any = None) -> ComposeForm:
    form = ComposeForm(formdata=formdata)
    form.candidate_id.data = str(candidate.id)
    form.template_id.choices = [
        (str(t.id), f"{t.name} · {_('suggested')}" if suggested else t.name)
        for t, suggested in choices]
    form.channel.choices = [("", _("Automatic (routing)"))] + [
        (c, code_label("channel", c)) for c in CHANNELS]
    return form


def _template(raw: str | None) -> Template | None:
    try:
        template_id = uuid.UUID(raw or "")
    except ValueError:
        return None
    return db.session.scalars(sa.select(Template).where(Template.id == template_id)).first()


def _render(candidate: Candidate, form: ComposeForm, choices: list[tuple[Template, bool]],
            plan: OutreachPlan | None, status: int = 200) -> ResponseReturnValue:
    return render_template("outreach/compose.html", candidate=candidate, form=form,
                           choices=choices, plan=plan, now=utcnow()), status


@bp.route("/compose")
@require_permission("outreach:send")
def compose() -> ResponseReturnValue:
    candidate = _candidate_or_404(request.args.get("candidate_id"))
    choices = suggested_templates(candidate)
    form = _form(candidate, choices)
    raw = request.args.get("template_id") or (str(choices[0][0].id) if choices else None)
    template = _template(raw)
    channel = request.args.get("channel") or None
    if request.args.get("template_id") and template is None:
        form.template_id.errors = [_("Choose one of the templates in the list.")]
        return _render(candidate, form, choices, None, 400)
    if channel is not None and channel not in CHANNELS:
        form.channel.errors = [_("Choose one of the channels in the list.")]
        return _render(candidate, form, choices, None, 400)
    plan = None
    if template is not None:
        form.template_id.data, form.channel.data = str(template.id), channel or ""
        plan = plan_message(candidate, template, sender=current_user, channel=channel,
                            now=utcnow())
    return _render(candidate, form, choices, plan)


@bp.route("/compose", methods=["POST"])
@require_permission("outreach:send")
def send() -> ResponseReturnValue:
    candidate = _candidate_or_404(request.form.get("candidate_id"))
    choices = suggested_templates(candidate)
    form = _form(candidate, choices, formdata=request.form)
    if not form.validate():
        return _render(candidate, form, choices, None, 422)
    template = _template(form.template_id.data)
    assert template is not None  # validate_choice: one of the tenant's templates
    kind, _actor_id = actor()
    try:
        message = queue_message(candidate, template, sender=current_user,
                                channel=form.channel.data or None, actor_kind=kind)
    except OutreachRefused as exc:
        db.session.rollback()
        form.channel.errors = [exc.explanation]
        return _render(candidate, form, choices, None, 409)
    except IdempotencyConflict:
        db.session.rollback()
        abort(409)
    db.session.refresh(message)
    flash(_status_flash(message.state, message.policy_code), "error"
          if message.state in ("blocked", "failed") else "success")
    return redirect(url_for("outreach.message", message_id=message.id))


def _status_flash(state: str, code: str | None) -> str:
    texts = {
        "blocked": _("Not sent. %(why)s", why=policy_text(code)),
        "scheduled": _("Scheduled: it goes out when the candidate's quiet hours end."),
        "failed": _("The message could not be sent; see the details below."),
        "queued": _("Sent to the outbox: it goes out in a moment."),
        "sending": _("Sent to the outbox: it goes out in a moment."),
    }
    return str(texts.get(state, _("Sent.")))


@bp.route("/messages/<uuid:message_id>")
@require_permission("candidate:read")
def message(message_id: uuid.UUID) -> ResponseReturnValue:
    found = get_message(message_id)
    if found is None:
        abort(404)
    candidate = get_candidate(found.candidate_id)
    return render_template(
        "outreach/message.html", message=message_document(
            found, with_content=current_user.can("outreach:send")),
        candidate=candidate, state_labels=STATE_LABELS)


@bp.route("/unmatched")
@require_permission("settings:read")
def unmatched() -> ResponseReturnValue:
    return render_template("outreach/unmatched.html", replies=unmatched_replies())
