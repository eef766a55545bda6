"""API shapes of users, tokens and the caller."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields, validate, validates

from saas.api.pagination import PageArgsSchema
from saas.auth.passwords import MAX_LENGTH, PasswordPolicyError, check_policy
from saas.auth.permissions import TENANT_ROLES
from saas.tenancy.manifest_schema import check_timezone_name
from saas.tenancy.models import LOCALES


class UserSchema(ma.Schema):
    id = fields.UUID(dump_only=True)
    email = fields.Email(required=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    role = fields.String(required=True, validate=validate.OneOf(TENANT_ROLES))
    locale = fields.String(allow_none=True, validate=validate.OneOf(LOCALES))
    timezone = fields.String(allow_none=True)
    disabled = fields.Boolean(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    last_login_at = fields.DateTime(dump_only=True)

    @validates("timezone")
    def check_timezone(self, value: str | None, **_: Any) -> None:
        if value is not None:
            check_timezone_name(value)


def _check_password(value: str) -> None:
    try:
        check_policy(value)
    except PasswordPolicyError as exc:
        raise ma.ValidationError(str(exc)) from exc


class UserCreateSchema(UserSchema):
    password = fields.String(
        required=True, load_only=True, validate=[validate.Length(max=MAX_LENGTH), _check_password]
    )


class UserUpdateSchema(ma.Schema):
    name = fields.String(validate=validate.Length(min=1, max=200))
    role = fields.String(validate=validate.OneOf(TENANT_ROLES))
    locale = fields.String(allow_none=True, validate=validate.OneOf(LOCALES))
    timezone = fields.String(allow_none=True)
    disabled = fields.Boolean()
    password = fields.String(load_only=True, validate=_check_password)

    @validates("timezone")
    def check_timezone(self, value: str | None, **_: Any) -> None:
        if value is not None:
            check_timezone_name(value)


class UserPageSchema(ma.Schema):
    items = fields.List(fields.Nested(UserSchema))
    next_cursor = fields.String(allow_none=True)


class UserListArgsSchema(PageArgsSchema):
    role = fields.String(validate=validate.OneOf(TENANT_ROLES))


class TenantBriefSchema(ma.Schema):
    id = fields.UUID()
    slug = fields.String()
    name = fields.String()
    locale = fields.String()
    timezone = fields.String()
    plan = fields.String()


class MeSchema(ma.Schema):
    user = fields.Nested(UserSchema)
    tenant = fields.Nested(TenantBriefSchema)
    role = fields.String()
    permissions = fields.List(fields.String())


class TokenSchema(ma.Schema):
    id = fields.UUID(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    user_id = fields.UUID(dump_only=True)
    hint = fields.String(dump_only=True, metadata={"description": "Last 4 characters"})
    created_at = fields.DateTime(dump_only=True)
    last_used_at = fields.DateTime(dump_only=True)
    revoked_at = fields.DateTime(dump_only=True)


class TokenCreatedSchema(TokenSchema):
    token = fields.String(dump_only=True, metadata={"description": "Shown once"})


class TokenPageSchema(ma.Schema):
    items = fields.List(fields.Nested(TokenSchema))
    next_cursor = fields.String(allow_none=True)
