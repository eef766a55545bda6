"""API shapes of message templates and their previews."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from saas.outreach.template_context import TEMPLATE_CHANNELS
from saas.outreach.templates_service import PURPOSES
from saas.tenancy.models import LOCALES


class TemplateSchema(ma.Schema):
    """A message template: Jinja text for one channel and language (checked at save)."""

    id = fields.UUID(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    channel = fields.String(required=True, validate=validate.OneOf(TEMPLATE_CHANNELS))
    locale = fields.String(required=True, validate=validate.OneOf(LOCALES))
    subject = fields.String(
        allow_none=True, validate=validate.Length(max=300),
        metadata={"description": "Email only (required there); a template itself."})
    body = fields.String(required=True, validate=validate.Length(min=1, max=10_000))
    purpose = fields.String(
        allow_none=True, validate=validate.OneOf(list(PURPOSES)),
        metadata={"description": "The situation it is written for, e.g. project_wrapup."})
    created_by = fields.UUID(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


class TemplateUpdateSchema(TemplateSchema):
    """PATCH: any of the fields (every field optional)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(partial=True, **kwargs)


class TemplateListArgsSchema(ma.Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    cursor = fields.String(load_default=None)
    channel = fields.String(validate=validate.OneOf(TEMPLATE_CHANNELS))
    locale = fields.String(validate=validate.OneOf(LOCALES))
    purpose = fields.String(validate=validate.OneOf(list(PURPOSES)))


class TemplatePageSchema(ma.Schema):
    items = fields.List(fields.Nested(TemplateSchema))
    next_cursor = fields.String(allow_none=True)


class TemplatePreviewRequestSchema(ma.Schema):
    candidate_id = fields.UUID(required=True)


class TemplateProblemSchema(ma.Schema):
    code = fields.String()
    message = fields.String()
    line = fields.Integer(allow_none=True)


class TemplatePreviewSchema(ma.Schema):
    channel = fields.String()
    subject = fields.String(allow_none=True)
    body = fields.String()
    segments = fields.Integer(
        allow_none=True, metadata={"description": "SMS segments (null for other channels)."})
    problems = fields.List(
        fields.Nested(TemplateProblemSchema),
        metadata={"description": "Why this message could not be sent as it is (limits, a "
                  "variable this candidate lacks); empty when it can."})
