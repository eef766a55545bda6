"""``/api/v1/campaigns``: create, list, preview, launch, pause, resume, delete drafts."""

from __future__ import annotations

import uuid
from typing import Any, NoReturn

import sqlalchemy as sa
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint, abort

from saas.api.pagination import PageArgsSchema, paginate
from saas.auth.current import require_permission
from saas.campaigns import schemas
from saas.campaigns.jobs import start_runner
from saas.campaigns.models import Campaign
from saas.campaigns.results import campaign_preview, campaign_results
from saas.campaigns.service import (
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
from saas.segments.compiler import segment_problem
from saas.segments.query_ast import SegmentQueryError
from saas.segments.service import local_today
from saas.timeutil import utcnow

campaigns_blp = Blueprint(
    "campaigns_api", __name__, url_prefix="/api/v1/campaigns",
    description="Campaigns: multi-step outreach over a segment, with a holdout",
)

# Problems about a state (launching a running campaign…) are conflicts; the rest 422.
CONFLICTS = {"not_draft", "not_running", "not_paused", "name_taken"}


def _problem(exc: CampaignProblem) -> NoReturn:
    db.session.rollback()
    status = 409 if exc.code in CONFLICTS else 422
    abort(status, message=exc.message, extra={"code": exc.code, "field": exc.field})
    raise exc  # unreachable: abort raises


def _load(campaign_id: uuid.UUID) -> Campaign:
    campaign = get_campaign(campaign_id)
    if campaign is None:
        abort(404)
    return campaign  # type: ignore[return-value]


def campaign_document(campaign: Campaign, *, with_results: bool = True) -> dict[str, Any]:
    document: dict[str, Any] = {
        "id": campaign.id, "name": campaign.name, "segment_query": campaign.segment_query,
        "holdout_percent": campaign.holdout_percent, "state": campaign.state,
        "launched_at": campaign.launched_at, "paused_at": campaign.paused_at,
        "created_by": campaign.created_by, "created_at": campaign.created_at,
        "steps": [{"position": s.position, "delay_days": s.delay_days,
                   "template_name": s.template_name, "channel": s.channel}
                  for s in steps_of(campaign.id)],
    }
    if with_results:
        document["results"] = campaign_results(campaign)
    return document


@campaigns_blp.route("")
class Campaigns(MethodView):
    @require_permission("campaign:read")
    @campaigns_blp.arguments(PageArgsSchema, location="query")
    @campaigns_blp.response(200, schemas.CampaignPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """The tenant's campaigns, oldest first, each with its results so far."""
        page = paginate(sa.select(Campaign), Campaign.id, args["limit"], args["cursor"])
        page["items"] = [campaign_document(c) for c in page["items"]]
        return page

    @require_permission("campaign:write")
    @campaigns_blp.arguments(schemas.CampaignSchema)
    @campaigns_blp.response(201, schemas.CampaignSchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Create a draft (400 with `position` for a bad segment query; 422 naming the
        field for an unknown template or a bad step; 409 for a name already used)."""
        try:
            campaign = create_campaign(
                name=data["name"], segment_query=data["segment_query"],
                holdout_percent=data["holdout_percent"],
                steps=[StepSpec(s["delay_days"], s["template_name"], s.get("channel"))
                       for s in data["steps"]],
                created_by=current_user.id, today=local_today())
        except SegmentQueryError as exc:
            db.session.rollback()
            segment_problem(exc)
        except CampaignProblem as exc:
            _problem(exc)
        db.session.commit()
        return campaign_document(_load(campaign.id))


@campaigns_blp.route("/<uuid:campaign_id>")
class CampaignById(MethodView):
    @require_permission("campaign:read")
    @campaigns_blp.response(200, schemas.CampaignSchema)
    def get(self, campaign_id: uuid.UUID) -> dict[str, Any]:
        """One campaign with its steps and results so far."""
        return campaign_document(_load(campaign_id))

    @require_permission("campaign:write")
    @campaigns_blp.response(204)
    def delete(self, campaign_id: uuid.UUID) -> None:
        """Delete a draft (409 once launched: pause it instead)."""
        try:
            delete_draft(_load(campaign_id), actor_id=current_user.id)
        except CampaignProblem as exc:
            _problem(exc)


@campaigns_blp.route("/<uuid:campaign_id>/preview", methods=["POST"])
@require_permission("campaign:read")
@campaigns_blp.arguments(schemas.CampaignPreviewArgsSchema, location="query")
@campaigns_blp.response(200, schemas.CampaignPreviewSchema)
def preview_campaign(args: dict[str, Any], campaign_id: uuid.UUID) -> dict[str, Any]:
    """Who would get what if launched now: counts, policy blocks, a sample (nothing
    written)."""
    campaign = _load(campaign_id)
    try:
        return campaign_preview(campaign, now=utcnow(), sender=current_user,
                                sample=args["sample"])
    except SegmentQueryError as exc:
        db.session.rollback()
        segment_problem(exc)


@campaigns_blp.route("/<uuid:campaign_id>/launch", methods=["POST"])
@require_permission("campaign:write")
@campaigns_blp.response(202, schemas.CampaignLaunchSchema)
def launch_campaign(campaign_id: uuid.UUID) -> dict[str, Any]:
    """Enroll the segment and start sending (422 `empty_segment`, 409 unless a draft)."""
    campaign = _load(campaign_id)
    now = utcnow()
    try:
        counts = launch(campaign, now=now, actor_id=current_user.id)
    except CampaignProblem as exc:
        _problem(exc)
    except SegmentQueryError as exc:
        db.session.rollback()
        segment_problem(exc)
    tenant_id = _load(campaign_id).tenant_id
    start_runner(tenant_id, campaign_id)
    return {**counts, "state": _load(campaign_id).state}


@campaigns_blp.route("/<uuid:campaign_id>/pause", methods=["POST"])
@require_permission("campaign:write")
@campaigns_blp.response(200, schemas.CampaignSchema)
def pause_campaign(campaign_id: uuid.UUID) -> dict[str, Any]:
    """Stop advancing (messages already queued still go)."""
    try:
        pause(_load(campaign_id), now=utcnow(), actor_id=current_user.id)
    except CampaignProblem as exc:
        _problem(exc)
    return campaign_document(_load(campaign_id))


@campaigns_blp.route("/<uuid:campaign_id>/resume", methods=["POST"])
@require_permission("campaign:write")
@campaigns_blp.response(200, schemas.CampaignSchema)
def resume_campaign(campaign_id: uuid.UUID) -> dict[str, Any]:
    """Advance again: steps that fell due while paused go out now."""
    campaign = _load(campaign_id)
    try:
        resume(campaign, actor_id=current_user.id)
    except CampaignProblem as exc:
        _problem(exc)
    campaign = _load(campaign_id)
    start_runner(campaign.tenant_id, campaign_id)
    return campaign_document(campaign)
