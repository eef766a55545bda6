"""API shapes of offers: create, list filters, the response, the manual reason."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields, validate, validates_schema

from saas.api.pagination import PageArgsSchema
from saas.offers.models import OFFER_STATUSES, REASON_SOURCES
from saas.segments.codes import REASON_CODES

OUTCOMES = ("accepted", "declined")


class OfferSchema(ma.Schema):
    id = fields.UUID(dump_only=True)
    candidate_id = fields.UUID(required=True)
    opening_id = fields.UUID(allow_none=True, load_default=None)
    sent_at = fields.AwareDateTime(required=True, metadata={"description": "ISO 8601 with offset"})
    respond_by = fields.AwareDateTime(
        required=True, metadata={"description": "ISO 8601 with offset; after sent_at"}
    )
    status = fields.String(dump_only=True, metadata={"enum": list(OFFER_STATUSES)})
    responded_at = fields.DateTime(dump_only=True, allow_none=True)
    stalled_at = fields.DateTime(dump_only=True, allow_none=True)
    reason = fields.String(dump_only=True, allow_none=True,
                           metadata={"description": "The primary reason (TAXONOMY code)"})
    reason_label = fields.String(dump_only=True, allow_none=True)
    reason_source = fields.String(dump_only=True, allow_none=True,
                                  metadata={"enum": list(REASON_SOURCES)})
    created_at = fields.DateTime(dump_only=True)

    @validates_schema
    def respond_after_sent(self, data: dict[str, Any], **_: Any) -> None:
        sent, due = data.get("sent_at"), data.get("respond_by")
        if sent is not None and due is not None and due <= sent:
            raise ma.ValidationError("respond_by must be after sent_at.", "respond_by")


class OfferListArgsSchema(PageArgsSchema):
    candidate_id = fields.UUID(load_default=None)
    status = fields.String(load_default=None, validate=validate.OneOf(OFFER_STATUSES))


class OfferPageSchema(ma.Schema):
    items = fields.List(fields.Nested(OfferSchema))
    next_cursor = fields.String(allow_none=True)


class OfferResponseSchema(ma.Schema):
    outcome = fields.String(required=True, validate=validate.OneOf(OUTCOMES))


class OfferReasonSchema(ma.Schema):
    reason = fields.String(required=True, validate=validate.OneOf(sorted(REASON_CODES)))
