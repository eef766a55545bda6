"""API shapes of openings, change events and their audiences."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from saas.api.pagination import PageArgsSchema
from saas.openings.models import EVENT_KINDS, OPENING_STATUSES
from saas.segments.codes import VALUE_CODES

LOCALES = ("zh-CN", "en")


def _known_values(codes: list[str]) -> None:
    unknown = [code for code in codes if code not in VALUE_CODES]
    if unknown:
        raise ma.ValidationError(
            f"Unknown value code(s): {', '.join(unknown)}; "
            f"use {', '.join(sorted(VALUE_CODES))}.")


def _values_field() -> fields.List[str]:
    return fields.List(fields.String(), load_default=list, validate=_known_values,
                       metadata={"description": "TAXONOMY value codes"})


class OpeningSchema(ma.Schema):
    id = fields.UUID(dump_only=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    level = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=60))
    team = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=120))
    location = fields.String(allow_none=True, load_default=None,
                             validate=validate.Length(max=120))
    description = fields.String(allow_none=True, load_default=None,
                                validate=validate.Length(max=5000))
    skills = fields.List(fields.String(validate=validate.Length(min=1, max=60)),
                         load_default=list, validate=validate.Length(max=50))
    values = _values_field()
    status = fields.String(load_default="draft", validate=validate.OneOf(OPENING_STATUSES))
    published_at = fields.DateTime(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


class OpeningPatchSchema(OpeningSchema):
    """Every field optional; only those sent change."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(partial=True, **kwargs)


class OpeningListArgsSchema(PageArgsSchema):
    status = fields.String(load_default=None, validate=validate.OneOf(OPENING_STATUSES))


class OpeningPageSchema(ma.Schema):
    items = fields.List(fields.Nested(OpeningSchema))
    next_cursor = fields.String(allow_none=True)


class ChangeEventSchema(ma.Schema):
    id = fields.UUID(dump_only=True)
    kind = fields.String(required=True, validate=validate.OneOf(EVENT_KINDS))
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    summary = fields.String(allow_none=True, load_default=None,
                            validate=validate.Length(max=2000))
    texts = fields.Dict(keys=fields.String(validate=validate.OneOf(LOCALES)),
                        values=fields.String(validate=validate.Length(max=1000)),
                        load_default=dict,
                        metadata={"description": '{"zh-CN": "...", "en": "..."}'})
    values = _values_field()
    occurred_on = fields.Date(required=True)
    opening_id = fields.UUID(allow_none=True, load_default=None)
    published_at = fields.DateTime(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)


class ChangeEventPatchSchema(ChangeEventSchema):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(partial=True, **kwargs)


class ChangeEventListArgsSchema(PageArgsSchema):
    kind = fields.String(load_default=None, validate=validate.OneOf(EVENT_KINDS))


class ChangeEventPageSchema(ma.Schema):
    items = fields.List(fields.Nested(ChangeEventSchema))
    next_cursor = fields.String(allow_none=True)


class AudienceCandidateSchema(ma.Schema):
    id = fields.UUID()
    name = fields.String()
    title = fields.String(allow_none=True)
    current_company = fields.String(allow_none=True)
    status = fields.String()
    last_contact_at = fields.DateTime(allow_none=True)
    matching_values = fields.List(fields.String())
    matching_skills = fields.List(fields.String())
    score = fields.Integer(metadata={"description": "0-100: share of values (and skills) met"})


class AudienceSchema(ma.Schema):
    items = fields.List(fields.Nested(AudienceCandidateSchema))
    next_cursor = fields.String(allow_none=True)
    count = fields.Integer()
    values = fields.List(fields.String())
    segment_query = fields.String(allow_none=True)


class SaveAudienceSchema(ma.Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    description = fields.String(allow_none=True, load_default=None,
                                validate=validate.Length(max=300))
