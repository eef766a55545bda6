"""Campaign pages: the list with results, a new campaign, one campaign (preview, launch,
pause, resume, results)."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from saas.auth.current import require_permission
from saas.campaigns.forms import CampaignForm
from saas.campaigns.jobs import start_runner
from saas.campaigns.models import Campaign
from saas.campaigns.results import campaign_preview, campaign_results
from saas.campaigns.service import (
    CHANNELS,
    CampaignProblem,
    StepSpec,
    create_campaign,
    delete_draft,
    get_campaign,
    launch,
    pause,
    resume,
    steps_of,
)
from saas.extensions import db
from saas.outreach.models import Template
from saas.outreach.policy import policy_text
from saas.segments.query_ast import SegmentQueryError
from saas.segments.service import local_today
from saas.tags.labels import code_label
from saas.timeutil import utcnow
from saas.web.navigation import NavItem, add_nav_item

bp = Blueprint("campaigns", __name__, url_prefix="/campaigns", template_folder="templates")
add_nav_item(NavItem("campaigns.index", _l("Campaigns"), "campaign:read", "main", 60))

STATE_LABELS = {"draft": _l("Draft"), "running": _l("Running"), "paused": _l("Paused"),
                "finished": _l("Finished")}


@bp.app_context_processor
def _labels() -> dict[str, Any]:
    return {"campaign_state_labels": STATE_LABELS, "policy_text": policy_text,
            "channel_name": lambda code: code_label("channel", code)}


def _campaign_or_404(campaign_id: uuid.UUID) -> Campaign:
    campaign = get_campaign(campaign_id)
    if campaign is None:
        abort(404)
    return campaign


@bp.route("")
@require_permission("campaign:read")
def index() -> ResponseReturnValue:
    campaigns = list(db.session.scalars(sa.select(Campaign).order_by(Campaign.created_at.desc())))
    rows = [{"campaign": c, "results": campaign_results(c)} for c in campaigns]
    return render_template("campaigns/index.html", rows=rows)


def _fill_choices(form: CampaignForm) -> None:
    names = sorted(set(db.session.scalars(sa.select(Template.name))))
    templates = [("", _("(no step)"))] + [(n, n) for n in names]
    channels = [("", _("Automatic"))] + [(c, code_label("channel", c)) for c in CHANNELS]
    for entry in form.steps:
        entry.form.template_name.choices = templates
        entry.form.channel.choices = channels


def _render_new(form: CampaignForm, status: int = 200) -> ResponseReturnValue:
    _fill_choices(form)
    return render_template("campaigns/new.html", form=form), status


@bp.route("/new")
@require_permission("campaign:write")
def new() -> ResponseReturnValue:
    return _render_new(CampaignForm(formdata=None))


def _steps(form: CampaignForm) -> list[StepSpec]:
    return [StepSpec(int(e.form.delay_days.data or 0), e.form.template_name.data,
                     e.form.channel.data or None)
            for e in form.steps if e.form.template_name.data]


def _place_problem(form: CampaignForm, exc: CampaignProblem) -> None:
    messages = {
        "name_taken": _("Another campaign already has this name."),
        "holdout_range": _("Give a share from 0 to 50."),
        "steps_count": _("Choose a template for at least one step (at most 10)."),
        "delay_negative": _("A delay cannot be negative."),
        "unknown_template": _("There is no template with this name for this channel."),
        "unknown_channel": _("Choose a channel from the list."),
    }
    message = messages.get(exc.code, exc.message)
    if exc.field and exc.field.startswith("steps["):
        index = int(exc.field[6:exc.field.index("]")])
        filled = [e for e in form.steps if e.form.template_name.data]
        target = filled[index].form.template_name if index < len(filled) else form.steps[0]
        target.errors = [*target.errors, message]
    elif exc.field == "name":
        form.name.errors = [message]
    elif exc.field == "holdout_percent":
        form.holdout_percent.errors = [message]
    else:
        form.steps[0].form.template_name.errors = [message]


@bp.route("", methods=["POST"])
@require_permission("campaign:write")
def create() -> ResponseReturnValue:
    form = CampaignForm()
    _fill_choices(form)
    if form.validate():
        query = (form.segment_query.data or "").strip()
        holdout = form.holdout_percent.data
        try:
            campaign = create_campaign(
                name=form.name.data.strip(), segment_query=query,
                holdout_percent=10 if holdout is None else int(holdout), steps=_steps(form),
                created_by=current_user.id, today=local_today())
        except SegmentQueryError as exc:
            db.session.rollback()
            form.segment_query.errors = [_(
                "The query cannot be read at character %(position)d: %(message)s",
                position=min(exc.position, len(query)) + 1, message=exc.message)]
        except CampaignProblem as exc:
            db.session.rollback()
            _place_problem(form, exc)
        else:
            db.session.commit()
            flash(_("Campaign “%(name)s” is saved as a draft. Check the preview, then "
                    "launch it.", name=campaign.name), "success")
            return redirect(url_for("campaigns.show", campaign_id=campaign.id))
    return _render_new(form, 422)


@bp.route("/<uuid:campaign_id>")
@require_permission("campaign:read")
def show(campaign_id: uuid.UUID) -> ResponseReturnValue:
    campaign = _campaign_or_404(campaign_id)
    preview = problem = None
    if campaign.state == "draft":
        try:
            preview = campaign_preview(campaign, now=utcnow(), sender=current_user)
        except SegmentQueryError as exc:
            problem = exc.message
        campaign = _campaign_or_404(campaign_id)
    return render_template("campaigns/show.html", campaign=campaign,
                           steps=steps_of(campaign.id), results=campaign_results(campaign),
                           preview=preview, problem=problem)


def _act(campaign_id: uuid.UUID, action: str) -> ResponseReturnValue:
    campaign = _campaign_or_404(campaign_id)
    try:
        if action == "launch":
            counts = launch(campaign, now=utcnow(), actor_id=current_user.id)
            flash(_("Launched: %(enrolled)d candidates enrolled, %(held)d held out.",
                    enrolled=counts["enrolled"], held=counts["held_out"]), "success")
        elif action == "pause":
            pause(campaign, now=utcnow(), actor_id=current_user.id)
            flash(_("Paused: no further steps go out until you resume."), "success")
        else:
            resume(campaign, actor_id=current_user.id)
            flash(_("Resumed."), "success")
    except CampaignProblem as exc:
        db.session.rollback()
        if exc.code == "empty_segment":
            flash(_("The segment selects no candidates, so nothing was launched. "
                    "Change the query or create a new campaign."), "error")
        else:
            flash(_("This cannot be done in the campaign's current state."), "error")
        return redirect(url_for("campaigns.show", campaign_id=campaign_id)), 303
    except SegmentQueryError:
        db.session.rollback()
        flash(_("The segment query no longer works; nothing was launched."), "error")
        return redirect(url_for("campaigns.show", campaign_id=campaign_id)), 303
    if action in ("launch", "resume"):
        start_runner(_campaign_or_404(campaign_id).tenant_id, campaign_id)
    return redirect(url_for("campaigns.show", campaign_id=campaign_id)), 303


@bp.route("/<uuid:campaign_id>/launch", methods=["POST"])
@require_permission("campaign:write")
def launch_view(campaign_id: uuid.UUID) -> ResponseReturnValue:
    return _act(campaign_id, "launch")


@bp.route("/<uuid:campaign_id>/pause", methods=["POST"])
@require_permission("campaign:write")
def pause_view(campaign_id: uuid.UUID) -> ResponseReturnValue:
    return _act(campaign_id, "pause")


@bp.route("/<uuid:campaign_id>/resume", methods=["POST"])
@require_permission("campaign:write")
def resume_view(campaign_id: uuid.UUID) -> ResponseReturnValue:
    return _act(campaign_id, "resume")


@bp.route("/<uuid:campaign_id>/delete", methods=["POST"])
@require_permission("campaign:write")
def delete_view(campaign_id: uuid.UUID) -> ResponseReturnValue:
    campaign = _campaign_or_404(campaign_id)
    try:
        delete_draft(campaign, actor_id=current_user.id)
    except CampaignProblem:
        db.session.rollback()
        flash(_("Only a draft can be deleted; pause a launched campaign instead."), "error")
        return redirect(url_for("campaigns.show", campaign_id=campaign_id)), 303
    flash(_("The draft is deleted."), "success")
    return redirect(url_for("campaigns.index")), 303
