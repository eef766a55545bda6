"""API shapes of consent records (CONTRACTS "Consent"), channel standings and legal holds."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields, validate, validates_schema

from saas.privacy.consent import STATES
from saas.privacy.models import BASES, CONSENT_CHANNELS, WITHDRAWAL_ROUTES
from saas.timeutil import utcnow


def _not_blank(value: str) -> None:
    if not value.strip():
        raise ma.ValidationError("Must not be empty.")


class Text(fields.String):
    """A string with surrounding whitespace removed."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        return text.strip() if isinstance(text, str) else text


def _not_in_future(value: Any) -> None:
    if value is not None and (value - utcnow()).total_seconds() > 600:
        raise ma.ValidationError("Cannot be in the future.")


class ConsentWriteSchema(ma.Schema):
    """A permission to contact, or (``"withdrawn": true``) an opt-out."""

    channel = fields.String(required=True, validate=validate.OneOf(CONSENT_CHANNELS),
                            metadata={"description": "A channel code or all"})
    basis = fields.String(validate=validate.OneOf(BASES),
                          metadata={"description": "Required unless withdrawn"})
    source = Text(validate=[validate.Length(min=1, max=300), _not_blank],
                  metadata={"description": "Where it was given; required unless withdrawn"})
    given_at = fields.AwareDateTime(validate=_not_in_future, metadata={
        "description": "When the candidate agreed (required) or withdrew (default now)"})
    expires_at = fields.AwareDateTime(allow_none=True)
    wording = Text(allow_none=True, validate=validate.Length(max=2000),
                   metadata={"description": "The wording the candidate was shown"})
    withdrawn = fields.Boolean(load_default=False)

    @validates_schema
    def complete(self, data: dict[str, Any], **_: Any) -> None:
        errors: dict[str, list[str]] = {}
        if data["withdrawn"]:
            for name in ("basis", "expires_at", "wording"):
                if data.get(name) is not None:
                    errors[name] = ["Not allowed on a withdrawal."]
        else:
            for name in ("basis", "source", "given_at"):
                if data.get(name) is None:
                    errors[name] = ["Missing data for required field."]
            given, expires = data.get("given_at"), data.get("expires_at")
            if given is not None and expires is not None and expires <= given:
                errors["expires_at"] = ["Must be after given_at."]
        if errors:
            raise ma.ValidationError(errors)


class ConsentSchema(ma.Schema):
    id = fields.UUID()
    channel = fields.String()
    basis = fields.String(allow_none=True, validate=validate.OneOf(BASES))
    source = fields.String(allow_none=True)
    wording = fields.String(allow_none=True)
    given_at = fields.DateTime()
    expires_at = fields.DateTime(allow_none=True)
    withdrawn = fields.Boolean()
    withdrawn_via = fields.String(allow_none=True, validate=validate.OneOf(WITHDRAWAL_ROUTES))
    created_by = fields.UUID(allow_none=True)
    created_at = fields.DateTime()


class ConsentPageSchema(ma.Schema):
    items = fields.List(fields.Nested(ConsentSchema))
    next_cursor = fields.String(allow_none=True)


class ChannelStatusSchema(ma.Schema):
    channel = fields.String()
    state = fields.String(validate=validate.OneOf(STATES))
    allowed = fields.Boolean()
    basis = fields.String(allow_none=True)
    reason_code = fields.String()
    reason_text = fields.String()
    record = fields.Nested(ConsentSchema, allow_none=True)


class ContactRightsSchema(ma.Schema):
    """Every channel's standing, the status and the retention state of the candidate."""

    status = fields.String()
    channels = fields.List(fields.Nested(ChannelStatusSchema))
    legal_hold_at = fields.DateTime(allow_none=True)
    erase_on = fields.Date(allow_none=True)


class LegalHoldWriteSchema(ma.Schema):
    reason = Text(required=True, validate=[validate.Length(min=1, max=300), _not_blank])


class LegalHoldSchema(ma.Schema):
    legal_hold_at = fields.DateTime(allow_none=True)
    legal_hold_reason = fields.String(allow_none=True)
