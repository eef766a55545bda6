"""Pages: compose a message to a candidate (preview, routing, policy, send), a sent
message's status, and the replies nobody could be matched to (admins).

The compose page suggests the templates written for the candidate's situation:
their primary reason first, then those about a value of theirs that the company
has news on since the last conversation, then company news when there is any
(:func:`suggested_templates`). Above the preview it shows what the message can draw
on: the last conversation and the changes since, as the template sees them.
"""

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
from saas.outreach.models import OutboundMessage, Template
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
from saas.outreach.routing import current_tenant_row
from saas.outreach.template_context import build_context
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


# The candidate value (TAXONOMY) that each starter purpose speaks to.
PURPOSE_VALUES = {"flexible_work": "flexibility", "family_friendly": "family",
                  "training_program": "training", "manager_opening": "career_growth"}
# Ranks of a template for a candidate, best first; the first three are "suggested".
FOR_REASON, VALUE_WITH_NEWS, COMPANY_NEWS, FOR_VALUE, OTHER = range(5)


def _rank(template: Template, candidate: Candidate, values: set[str],
          news_values: set[str]) -> int:
    purpose = template.purpose
    if purpose is not None and purpose == candidate.reason:
        return FOR_REASON
    value = PURPOSE_VALUES.get(purpose or "")
    if value is not None and value in news_values:
        return VALUE_WITH_NEWS
    if purpose == "company_news" and news_values:
        return COMPANY_NEWS
    return FOR_VALUE if value is not None and value in values else OTHER


def suggested_templates(candidate: Candidate,
                        context: dict[str, Any]) -> list[tuple[Template, bool]]:
    """Every template, one per name (the candidate's language first), ranked for the
    candidate (see the module docstring) and marked when suggested. ``context`` is the
    candidate's :func:`build_context`: its ``changes`` are the news since last time."""
    locale = candidate.locale or ""
    values = set(values_of(candidate.id))
    news_values = {v for change in context["changes"] for v in change.values} & values
    chosen: dict[str, Template] = {}
    rows = db.session.scalars(sa.select(Template).order_by(Template.name, Template.channel))
    for row in rows:
        best = chosen.get(row.name)
        if best is None or (row.locale == locale and best.locale != locale):
            chosen[row.name] = row
    ranked = sorted(((_rank(t, candidate, values, news_values), t.name, t)
                     for t in chosen.values()), key=lambda row: row[:2])
    return [(t, rank <= COMPANY_NEWS) for rank, _name, t in ranked]


def message_context(candidate: Candidate) -> dict[str, Any]:
    """The template variables for this candidate now, in the candidate's language (the
    channel only shapes the unsubscribe link, which the page does not show)."""
    locale = candidate.locale or current_tenant_row().locale
    return build_context(candidate, locale=locale, channel="email", sender=current_user,
                         now=utcnow())


def _form(candidate: Candidate, choices: list[tuple[Template, bool]],
          formdata: Any = None) -> ComposeForm:
    form = ComposeForm(formdata=formdata)
    form.candidate_id.data = str(candidate.id)
    suggested = [(str(t.id), t.name) for t, mark in choices if mark]
    others = [(str(t.id), t.name) for t, mark in choices if not mark]
    # Suggested ones in a group of their own (a mark after a long name would be cut off).
    groups = {str(_("Suggested")): suggested, str(_("Other templates")): others}
    form.template_id.choices = {label: group for label, group in groups.items() if group} \
        if suggested else others
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
            plan: OutreachPlan | None, context: dict[str, Any],
            status: int = 200) -> ResponseReturnValue:
    return render_template("outreach/compose.html", candidate=candidate, form=form,
                           choices=choices, plan=plan, context=context, now=utcnow()), status


@bp.route("/compose")
@require_permission("outreach:send")
def compose() -> ResponseReturnValue:
    candidate = _candidate_or_404(request.args.get("candidate_id"))
    context = message_context(candidate)
    choices = suggested_templates(candidate, context)
    form = _form(candidate, choices)
    raw = request.args.get("template_id") or (str(choices[0][0].id) if choices else None)
    template = _template(raw)
    channel = request.args.get("channel") or None
    if request.args.get("template_id") and template is None:
        form.template_id.errors = [_("Choose one of the templates in the list.")]
        return _render(candidate, form, choices, None, context, 400)
    if channel is not None and channel not in CHANNELS:
        form.channel.errors = [_("Choose one of the channels in the list.")]
        return _render(candidate, form, choices, None, context, 400)
    plan = None
    if template is not None:
        form.template_id.data, form.channel.data = str(template.id), channel or ""
        plan = plan_message(candidate, template, sender=current_user, channel=channel,
                            now=utcnow())
    return _render(candidate, form, choices, plan, context)


def _written_to(candidate: Candidate) -> set[uuid.UUID]:
    """The candidate's messages that went out or are on their way (not blocked)."""
    return set(db.session.scalars(sa.select(OutboundMessage.id).where(
        OutboundMessage.candidate_id == candidate.id, OutboundMessage.state != "blocked")))


@bp.route("/compose", methods=["POST"])
@require_permission("outreach:send")
def send() -> ResponseReturnValue:
    candidate = _candidate_or_404(request.form.get("candidate_id"))
    context = message_context(candidate)
    choices = suggested_templates(candidate, context)
    form = _form(candidate, choices, formdata=request.form)
    if not form.validate():
        return _render(candidate, form, choices, None, context, 422)
    template = _template(form.template_id.data)
    assert template is not None  # validate_choice: one of the tenant's templates
    kind, _actor_id = actor()
    earlier = _written_to(candidate)
    try:
        message = queue_message(candidate, template, sender=current_user,
                                channel=form.channel.data or None, actor_kind=kind)
    except OutreachRefused as exc:
        db.session.rollback()
        form.channel.errors = [exc.explanation]
        return _render(candidate, form, choices, None, context, 409)
    except IdempotencyConflict:
        db.session.rollback()
        abort(409)
    if message.id in earlier:
        # The same message asked for twice (sent again, a double click, the back button):
        # the outbox gave back the one already written; nothing went out again.
        flash(_("This message was already written today; it is shown below and was not "
                "sent again."), "info")
        return redirect(url_for("outreach.message", message_id=message.id))
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
