"""Settings of the e-mail channel, per tenant."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate


class EmailSettingsSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    host = fields.String(required=True, validate=validate.Length(min=1, max=253))
    port = fields.Integer(load_default=587, validate=validate.Range(min=1, max=65535))
    sender = fields.Email(required=True)
    security = fields.String(
        load_default="starttls", validate=validate.OneOf(["starttls", "tls", "none"])
    )
    username = fields.String(load_default=None, allow_none=True)
    password = fields.String(
        load_default=None, allow_none=True, metadata={"secret": True}
    )
    timeout_seconds = fields.Float(load_default=10.0, validate=validate.Range(min=1, max=60))
