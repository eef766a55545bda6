"""API shapes of saved segments, previews and segment results."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields, post_load, validate


def _stripped_name(value: str) -> None:
    if not value.strip():
        raise ma.ValidationError("The name cannot be blank.")


class SegmentSchema(ma.Schema):
    """A saved segment: a named query in the segment language."""

    id = fields.UUID(dump_only=True)
    name = fields.String(required=True, validate=[validate.Length(min=1, max=100), _stripped_name])
    query = fields.String(
        required=True,
        metadata={"description": "Checked at save: one that does not compile is a 400 with "
                  "`position`."},
    )
    description = fields.String(allow_none=True, validate=validate.Length(max=300))
    created_by = fields.UUID(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)

    @post_load
    def strip(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        if "name" in data:
            data["name"] = data["name"].strip()
        if data.get("description") is not None:
            data["description"] = data["description"].strip() or None
        return data


class SegmentUpdateSchema(SegmentSchema):
    """PATCH: any of name, query, description (every field optional)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(partial=True, **kwargs)


class SegmentPageSchema(ma.Schema):
    items = fields.List(fields.Nested(SegmentSchema))
    next_cursor = fields.String(allow_none=True)


class CandidateSummarySchema(ma.Schema):
    id = fields.UUID()
    name = fields.String()
    title = fields.String(allow_none=True)
    current_company = fields.String(allow_none=True)
    status = fields.String()


class CandidateSummaryPageSchema(ma.Schema):
    items = fields.List(fields.Nested(CandidateSummarySchema))
    next_cursor = fields.String(allow_none=True)


class PreviewArgsSchema(ma.Schema):
    q = fields.String(
        load_default="",
        metadata={"description": "A segment query; empty selects every candidate."},
    )


class PreviewSchema(ma.Schema):
    count = fields.Integer()
    sample = fields.List(fields.Nested(CandidateSummarySchema))
