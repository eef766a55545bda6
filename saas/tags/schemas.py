"""API shapes of tags, candidate tags, segment tagging and extractor accuracy."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from saas.tags.candidate_tags import EDITABLE_DIMENSIONS

CUSTOM_CODE_PATTERN = r"^[a-z0-9_-]{1,40}$"
_custom_code = validate.Regexp(
    CUSTOM_CODE_PATTERN, error="Use 1-40 lower-case letters, digits, '_' or '-'."
)
SYSTEM_DIMENSION_CHOICES = tuple(d for d in EDITABLE_DIMENSIONS if d != "custom")


class CandidateTagSchema(ma.Schema):
    id = fields.UUID()
    dimension = fields.String()
    code = fields.String()
    label = fields.String()
    source = fields.String(metadata={"description": "manual | inferred | plugin"})
    confidence = fields.Float(allow_none=True)
    interaction_id = fields.UUID(allow_none=True)
    inferred_from = fields.DateTime(
        allow_none=True, metadata={"description": "When the note it was read from was taken"}
    )
    created_at = fields.DateTime()


class CandidateTagListSchema(ma.Schema):
    items = fields.List(fields.Nested(CandidateTagSchema))


class _TagChoiceSchema(ma.Schema):
    """Either ``{"dimension", "code"}`` (a system tag) or ``{"tag": "<custom code>"}``."""

    dimension = fields.String(validate=validate.OneOf(SYSTEM_DIMENSION_CHOICES))
    code = fields.String(validate=validate.Length(min=1, max=40))
    tag = fields.String(validate=_custom_code)

    @ma.validates_schema
    def one_choice(self, data: dict[str, Any], **_: Any) -> None:
        if "tag" in data:
            if "dimension" in data or "code" in data:
                raise ma.ValidationError("Give either tag, or dimension and code.", "tag")
            return
        for name in ("dimension", "code"):
            if name not in data:
                raise ma.ValidationError("Missing data for required field.", name)

    @ma.post_load
    def to_pair(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        if "tag" in data:
            return {**data, "dimension": "custom", "code": data.pop("tag")}
        return data


class CandidateTagCreateSchema(_TagChoiceSchema):
    pass


class TagCorrectSchema(ma.Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=40))


class TagCodeSchema(ma.Schema):
    code = fields.String()
    label = fields.String()
    tag_label = fields.String(metadata={"description": "Dimension and code, e.g. 未响应-项目收尾"})
    count = fields.Integer()


class DimensionSchema(ma.Schema):
    dimension = fields.String()
    label = fields.String()
    codes = fields.List(fields.Nested(TagCodeSchema))


class TagSchema(ma.Schema):
    """A tenant's custom tag."""

    id = fields.UUID(dump_only=True)
    code = fields.String(required=True, validate=_custom_code)
    label = fields.String(required=True, validate=validate.Length(min=1, max=60))
    description = fields.String(allow_none=True, validate=validate.Length(max=300))
    count = fields.Integer(dump_only=True)
    created_at = fields.DateTime(dump_only=True)


class TagCatalogueSchema(ma.Schema):
    dimensions = fields.List(fields.Nested(DimensionSchema))
    custom = fields.List(fields.Nested(TagSchema))


class SegmentTagSchema(_TagChoiceSchema):
    q = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class SegmentTaggedSchema(ma.Schema):
    tagged = fields.Integer()


class AccuracySchema(ma.Schema):
    dimension = fields.String()
    accepted = fields.Integer()
    corrected = fields.Integer()
    removed = fields.Integer()
    judged = fields.Integer()
    share_right = fields.Float(allow_none=True)


class AccuracyListSchema(ma.Schema):
    items = fields.List(fields.Nested(AccuracySchema))
