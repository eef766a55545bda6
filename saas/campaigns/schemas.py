"""API shapes of campaigns, their steps, previews and results."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields, post_load, validate

from saas.campaigns.service import CHANNELS, MAX_HOLDOUT, MAX_STEPS


def _not_blank(value: str) -> None:
    if not value.strip():
        raise ma.ValidationError("The name cannot be blank.")


class CampaignStepSchema(ma.Schema):
    position = fields.Integer(dump_only=True)
    delay_days = fields.Integer(required=True, validate=validate.Range(min=0, max=365))
    template_name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    channel = fields.String(load_default=None, allow_none=True,
                            validate=validate.OneOf(CHANNELS),
                            metadata={"description": "None: routed per candidate."})


class CampaignSchema(ma.Schema):
    """A campaign: a segment, a holdout share and 1-10 steps."""

    id = fields.UUID(dump_only=True)
    name = fields.String(required=True, validate=[validate.Length(min=1, max=120), _not_blank])
    segment_query = fields.String(
        load_default="", validate=validate.Length(max=2000),
        metadata={"description": "Segment language; a query that does not compile is a 400 "
                  "with `position`. Empty: every candidate."})
    holdout_percent = fields.Integer(load_default=10,
                                     validate=validate.Range(min=0, max=MAX_HOLDOUT))
    steps = fields.List(fields.Nested(CampaignStepSchema), required=True,
                        validate=validate.Length(min=1, max=MAX_STEPS))
    state = fields.String(dump_only=True)
    launched_at = fields.DateTime(dump_only=True, allow_none=True)
    paused_at = fields.DateTime(dump_only=True, allow_none=True)
    created_by = fields.UUID(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)
    results = fields.Dict(dump_only=True, metadata={
        "description": "enrolled, held_out, messages per step by state, replies, reply "
                       "rates (contacted vs holdout) and uplift_points."})

    @post_load
    def strip(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        data["name"] = data["name"].strip()
        return data


class CampaignPageSchema(ma.Schema):
    items = fields.List(fields.Nested(CampaignSchema))
    next_cursor = fields.String(allow_none=True)


class CampaignPreviewArgsSchema(ma.Schema):
    sample = fields.Integer(load_default=10, validate=validate.Range(min=1, max=50))


class CampaignPreviewRowSchema(ma.Schema):
    candidate_id = fields.UUID()
    name = fields.String()
    channel = fields.String(allow_none=True)
    why = fields.String()
    state = fields.String()
    policy_code = fields.String(allow_none=True)
    subject = fields.String(allow_none=True)
    body = fields.String(allow_none=True)


class CampaignPreviewSchema(ma.Schema):
    segment_size = fields.Integer()
    holdout = fields.Integer()
    would_contact = fields.Integer()
    policy_checked = fields.Integer()
    blocked = fields.Integer()
    blocked_by_code = fields.Dict(keys=fields.String(), values=fields.Integer())
    sample = fields.List(fields.Nested(CampaignPreviewRowSchema))


class CampaignLaunchSchema(ma.Schema):
    enrolled = fields.Integer()
    held_out = fields.Integer()
    state = fields.String()
