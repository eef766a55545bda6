"""The shape of a tenant manifest (tenants/*.toml), validated with marshmallow."""

from __future__ import annotations

import re
import zoneinfo
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate, validates, validates_schema

from saas.auth.permissions import TENANT_ROLES
from saas.tenancy.models import LOCALES, PLANS, STATUSES

CHANNELS = ("email", "sms", "wechat", "linkedin", "phone")
SLUG_RE = r"^[a-z0-9-]{2,40}$"
_QUIET_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$")


class ManifestUserSchema(ma.Schema):
    email = fields.Email(required=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    role = fields.String(required=True, validate=validate.OneOf(TENANT_ROLES))
    password_env = fields.String(validate=validate.Regexp(r"^[A-Z_][A-Z0-9_]*$"))
    password = fields.String(validate=validate.Length(min=1, max=128))
    locale = fields.String(validate=validate.OneOf(LOCALES))
    timezone = fields.String()

    @validates("timezone")
    def check_timezone(self, value: str, **_: Any) -> None:
        check_timezone_name(value)

    @validates_schema
    def one_password_source(self, data: dict[str, Any], **_: Any) -> None:
        if "password_env" in data and "password" in data:
            raise ma.ValidationError("Give password_env or password, not both.", "password")


class PolicySchema(ma.Schema):
    max_messages_per_30_days = fields.Integer(
        load_default=2, validate=validate.Range(min=0, max=100)
    )
    quiet_hours = fields.String(load_default="21:00-09:00")
    # The re-engagement queue leaves out anyone contacted within this many days.
    recontact_after_days = fields.Integer(load_default=30, validate=validate.Range(min=0, max=365))
    channel_order = fields.List(
        fields.String(validate=validate.OneOf(CHANNELS)),
        load_default=lambda: ["wechat", "email", "sms", "linkedin"],
    )
    # Erase candidates this many months after the last active contact; absent: off.
    retention_months = fields.Integer(
        load_default=None, strict=True, validate=validate.Range(min=1, max=240, error=(
            "Must be a whole number of months from 1 to 240 (leave it out for no retention)."))
    )

    @validates("quiet_hours")
    def check_quiet_hours(self, value: str, **_: Any) -> None:
        if value and not _QUIET_RE.match(value):
            raise ma.ValidationError('Use "HH:MM-HH:MM" (e.g. "21:00-09:00") or "" for none.')

    @validates("channel_order")
    def check_channel_order(self, value: list[str], **_: Any) -> None:
        if len(set(value)) != len(value):
            raise ma.ValidationError("A channel is listed twice.")


class ManifestSchema(ma.Schema):
    slug = fields.String(required=True, validate=validate.Regexp(SLUG_RE, error=(
        "Must be 2-40 characters of a-z, 0-9 and '-'.")))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    locale = fields.String(load_default="zh-CN", validate=validate.OneOf(LOCALES))
    timezone = fields.String(load_default="Asia/Shanghai")
    plan = fields.String(load_default="standard", validate=validate.OneOf(PLANS))
    status = fields.String(load_default="active", validate=validate.OneOf(STATUSES))
    users = fields.List(fields.Nested(ManifestUserSchema), load_default=list)
    plugins = fields.Dict(keys=fields.String(), values=fields.Dict(), load_default=dict)
    policy = fields.Nested(PolicySchema, load_default=lambda: PolicySchema().load({}))

    @validates("timezone")
    def check_timezone(self, value: str, **_: Any) -> None:
        check_timezone_name(value)

    @validates("users")
    def unique_emails(self, value: list[dict[str, Any]], **_: Any) -> None:
        emails = [u["email"].lower() for u in value]
        if len(set(emails)) != len(emails):
            raise ma.ValidationError("The same email is listed twice.")


def check_timezone_name(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ma.ValidationError(f"Unknown time zone {value!r} (use e.g. Asia/Shanghai).") from exc

