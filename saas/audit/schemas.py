"""API shapes of the audit trail: list filters, an event, a verification result."""

from __future__ import annotations

import re
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate, validates_schema

from saas.api.pagination import PageArgsSchema
from saas.audit.search import OUTCOMES

# Target ids are ids and codes (a UUID, "reason:health", an endpoint name).
TARGET_ID = re.compile(r"^[\w.:@-]{1,64}$")


class AuditEventListArgsSchema(PageArgsSchema):
    action = fields.String(load_default=None, validate=validate.Length(min=1, max=80))
    actor_id = fields.UUID(load_default=None)
    outcome = fields.String(load_default=None, validate=validate.OneOf(OUTCOMES))
    since = fields.AwareDateTime(load_default=None, metadata={
        "description": "ISO 8601 with offset; events at or after this time"})
    until = fields.AwareDateTime(load_default=None, metadata={
        "description": "ISO 8601 with offset; events before this time"})
    target_id = fields.String(load_default=None, validate=validate.Regexp(
        TARGET_ID, error="An id or code: letters, digits and . : @ _ - (at most 64)."))

    @validates_schema
    def until_after_since(self, data: dict[str, Any], **_: Any) -> None:
        since, until = data.get("since"), data.get("until")
        if since is not None and until is not None and until <= since:
            raise ma.ValidationError("until must be after since.", "until")


class AuditEventSchema(ma.Schema):
    id = fields.UUID()
    seq = fields.Integer(allow_none=True, metadata={
        "description": "Position in the tenant's trail (1, 2, 3…); null before the chain"})
    occurred_at = fields.DateTime()
    action = fields.String()
    action_label = fields.String(metadata={"description": "In the caller's language"})
    outcome = fields.String(metadata={"enum": list(OUTCOMES)})
    actor_kind = fields.String(metadata={
        "enum": ["user", "staff", "token", "system", "anonymous"]})
    actor_id = fields.UUID(allow_none=True)
    actor_name = fields.String(allow_none=True, metadata={"description": "Team members only"})
    target_kind = fields.String(allow_none=True)
    target_id = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
    detail = fields.Dict(metadata={"description": "Codes and ids only, never personal data"})
    prev_hash = fields.String(allow_none=True)
    hash = fields.String(allow_none=True, metadata={
        "description": "SHA-256 (hex) over the event's content, seq and prev_hash"})


class AuditEventPageSchema(ma.Schema):
    items = fields.List(fields.Nested(AuditEventSchema))
    next_cursor = fields.String(allow_none=True)


class ChainProblemSchema(ma.Schema):
    kind = fields.String(metadata={"enum": [
        "modified", "removed", "reordered", "broken_link", "head", "unchained"]})
    seq = fields.Integer(allow_none=True)
    message = fields.String()


class VerifyResultSchema(ma.Schema):
    ok = fields.Boolean()
    events = fields.Integer(metadata={"description": "Events in the chain"})
    before_chain = fields.Integer(metadata={
        "description": "Events written before the chain existed (not verifiable)"})
    problems = fields.List(fields.Nested(ChainProblemSchema))
    problem_count = fields.Integer(metadata={"description": "Including any not listed"})
