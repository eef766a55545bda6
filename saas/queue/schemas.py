"""API shapes of the queue: entries with their reasons, and snooze/dismiss decisions."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from saas.api.pagination import PageArgsSchema
from saas.queue.decisions import REASON_MAX


class QueueArgsSchema(PageArgsSchema):
    owner = fields.String(
        load_default="me", validate=validate.OneOf(("me", "all")),
        metadata={"description": "`me` (your candidates) or `all` (admins: everyone's)"},
    )


class QueueCandidateSchema(ma.Schema):
    id = fields.UUID()
    name = fields.String()
    title = fields.String(allow_none=True)
    company = fields.String(allow_none=True)
    status = fields.String()
    preferred_channel = fields.String(allow_none=True)
    last_contact_at = fields.DateTime(allow_none=True)


class QueueReasonSchema(ma.Schema):
    code = fields.String()
    text = fields.String(metadata={"description": "The reason in words, in your language"})
    weight = fields.Integer(metadata={"description": "Its points in the score"})


class QueueEntrySchema(ma.Schema):
    candidate = fields.Nested(QueueCandidateSchema)
    score = fields.Integer(metadata={"description": "0-100, the sum of the reasons' weights"})
    reasons = fields.List(fields.Nested(QueueReasonSchema))


class QueuePageSchema(ma.Schema):
    items = fields.List(fields.Nested(QueueEntrySchema))
    next_cursor = fields.String(allow_none=True)


class SnoozeSchema(ma.Schema):
    until = fields.Date(required=True, metadata={"description": "YYYY-MM-DD, after today, "
                                                                "at most a year ahead"})
    reason = fields.String(load_default=None, allow_none=True,
                           validate=validate.Length(max=REASON_MAX))


class DismissSchema(ma.Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=REASON_MAX))


class QueueDecisionSchema(ma.Schema):
    id = fields.UUID()
    candidate_id = fields.UUID()
    decision = fields.String(metadata={"enum": ["snooze", "dismiss"]})
    reason = fields.String(allow_none=True)
    active_until = fields.Date()
    created_at = fields.DateTime()
