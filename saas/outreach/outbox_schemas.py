"""API shapes of the outbox: a send request, an outbound message, its routing and policy."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from saas.api.pagination import PageArgsSchema
from saas.candidates.models import CHANNELS
from saas.outreach.models import MESSAGE_STATES


class OutreachRequestSchema(ma.Schema):
    candidate_id = fields.UUID(required=True)
    template_id = fields.UUID(required=True)
    channel = fields.String(load_default=None, validate=validate.OneOf(CHANNELS), metadata={
        "description": "Ask for this channel; refused (409) unless the candidate can be "
                       "reached on it. Omit to route: preferred channel, then the "
                       "tenant's channel_order."})


class RoutingSchema(ma.Schema):
    rule = fields.String(metadata={"enum": ["preferred", "channel_order", "requested", "none"]})
    channel = fields.String(allow_none=True)
    explanation = fields.String()
    skipped = fields.List(fields.Dict(keys=fields.String(), values=fields.String()))


class PolicySchema(ma.Schema):
    allowed = fields.Boolean()
    code = fields.String(allow_none=True)
    explanation = fields.String()


class OutreachAcceptedSchema(ma.Schema):
    message_id = fields.UUID()
    channel = fields.String()
    state = fields.String(metadata={"enum": list(MESSAGE_STATES)})
    routing = fields.Nested(RoutingSchema)
    policy = fields.Nested(PolicySchema)
    send_after = fields.DateTime(allow_none=True)


class OutboundMessageSchema(ma.Schema):
    id = fields.UUID()
    candidate_id = fields.UUID()
    template_id = fields.UUID(allow_none=True)
    campaign_id = fields.UUID(allow_none=True)
    campaign_step = fields.Integer(allow_none=True)
    channel = fields.String()
    state = fields.String(metadata={"enum": list(MESSAGE_STATES)})
    routing = fields.Nested(RoutingSchema)
    policy = fields.Nested(PolicySchema)
    attempts = fields.Integer()
    last_error = fields.String(allow_none=True)
    send_after = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    sent_at = fields.DateTime(allow_none=True)
    delivered_at = fields.DateTime(allow_none=True)
    subject = fields.String(allow_none=True, metadata={"description": "With outreach:send only"})
    body = fields.String(allow_none=True, metadata={"description": "With outreach:send only"})


class MessageListArgsSchema(PageArgsSchema):
    candidate_id = fields.UUID(load_default=None)
    state = fields.String(load_default=None, validate=validate.OneOf(MESSAGE_STATES))


class OutboundMessagePageSchema(ma.Schema):
    items = fields.List(fields.Nested(OutboundMessageSchema))
    next_cursor = fields.String(allow_none=True)
