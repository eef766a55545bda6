"""API shapes of candidates and their timeline (CONTRACTS "Candidates" and "Timeline").

Compensation (``expected_salary``, ``current_salary``) is restricted here, in
the schema layer: a reader whose role lacks ``candidate:read_compensation``
gets documents without those keys, and a writer lacking
``candidate:write_compensation`` gets :class:`RestrictedFieldWrite` (a 403
naming the field). Contact points are validated and normalised by
:mod:`saas.candidates.contacts`, so the API and the pages agree.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import marshmallow as ma
from babel.numbers import list_currencies
from flask import has_request_context
from flask_login import current_user
from marshmallow import fields, post_dump, post_load, pre_load, validate, validates

from saas.api.pagination import PageArgsSchema
from saas.candidates import contacts
from saas.candidates.models import CHANNELS, STATUSES
from saas.candidates.timeline import DIRECTIONS
from saas.segments.codes import VALUE_CODES
from saas.tenancy.manifest_schema import check_timezone_name
from saas.tenancy.models import LOCALES
from saas.timeutil import utcnow

# field -> (permission to read it, permission to write it)
RESTRICTED: Mapping[str, tuple[str, str]] = {
    "expected_salary": ("candidate:read_compensation", "candidate:write_compensation"),
    "current_salary": ("candidate:read_compensation", "candidate:write_compensation"),
}
WRITABLE_STATUSES = tuple(s for s in STATUSES if s != "erased")  # erasure sets "erased"
MAX_SUMMARY = 20_000
MAX_QUOTE = 2_000
MAX_QUESTION = 500
MAX_QUESTIONS = 20
CURRENCIES = frozenset(list_currencies())


class RestrictedFieldWrite(PermissionError):
    """A write to a field the caller's role may not change."""

    def __init__(self, field: str, permission: str) -> None:
        super().__init__(f"writing {field} needs {permission}")
        self.field = field
        self.permission = permission


def viewer_permissions() -> frozenset[str]:
    """The permissions of whoever is asking (none outside a signed-in request)."""
    if has_request_context() and current_user.is_authenticated:
        return frozenset(current_user.permissions)
    return frozenset()


class Text(fields.String):
    """A string with surrounding whitespace removed."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        return text.strip() if isinstance(text, str) else text


def _not_blank(value: str) -> None:
    if not value.strip():
        raise ma.ValidationError("Must not be empty.")


class ContactPoint(fields.String):
    """A contact point cleaned by one of :mod:`saas.candidates.contacts`' functions."""

    def __init__(self, clean: Callable[[str], str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.clean = clean

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return self.clean(text)
        except contacts.ContactError as exc:
            raise ma.ValidationError(str(exc)) from exc


class CompensationSchema(ma.Schema):
    amount = fields.Float(required=True, allow_nan=False,
                          validate=validate.Range(min=0, min_inclusive=False))
    currency = fields.String(required=True, metadata={"description": "ISO 4217, e.g. CNY"})
    period = fields.String(required=True, validate=validate.OneOf(("month", "year")))

    @validates("currency")
    def check_currency(self, value: str, **_: Any) -> None:
        if value not in CURRENCIES:
            raise ma.ValidationError(f"“{value}” is not an ISO 4217 currency code (e.g. CNY).")

    @post_load
    def whole_amounts_as_integers(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        if float(data["amount"]).is_integer():
            data["amount"] = int(data["amount"])
        return data


class PersonSchema(ma.Schema):
    id = fields.UUID()
    name = fields.String()


class TagOnCandidateSchema(ma.Schema):
    dimension = fields.String()
    code = fields.String()
    label = fields.String()
    source = fields.String()
    confidence = fields.Float(allow_none=True)


class CandidateSchema(ma.Schema):
    """The candidate document; compensation only for roles that may see it."""

    id = fields.UUID(dump_only=True)
    name = Text(required=True, validate=[validate.Length(min=1, max=200), _not_blank])
    emails = fields.List(ContactPoint(contacts.clean_email), validate=validate.Length(max=10))
    phones = fields.List(ContactPoint(contacts.clean_phone), validate=validate.Length(max=10))
    wechat_id = ContactPoint(contacts.clean_wechat_id, allow_none=True)
    linkedin_url = ContactPoint(contacts.clean_linkedin_url, allow_none=True)
    current_company = Text(allow_none=True, validate=validate.Length(max=200))
    title = Text(allow_none=True, validate=validate.Length(max=200))
    city = Text(allow_none=True, validate=validate.Length(max=100))
    skills = fields.List(Text(validate=validate.Length(min=1, max=60)),
                         validate=validate.Length(max=100))
    preferred_channel = fields.String(allow_none=True, validate=validate.OneOf(CHANNELS))
    values = fields.List(fields.String(validate=validate.OneOf(sorted(VALUE_CODES))))
    career_goal = Text(allow_none=True, validate=validate.Length(max=500))
    contract_end_date = fields.Date(allow_none=True)
    birthday = fields.Date(allow_none=True)
    locale = fields.String(allow_none=True, validate=validate.OneOf(LOCALES))
    timezone = fields.String(allow_none=True)
    status = fields.String(validate=validate.OneOf(WRITABLE_STATUSES))
    expected_salary = fields.Nested(CompensationSchema, allow_none=True,
                                    metadata={"description": "Restricted (compensation)"})
    current_salary = fields.Nested(CompensationSchema, allow_none=True,
                                   metadata={"description": "Restricted (compensation)"})
    tags = fields.List(fields.Nested(TagOnCandidateSchema), dump_only=True)
    next_follow_up_on = fields.Date(dump_only=True, allow_none=True)
    owner = fields.Nested(PersonSchema, dump_only=True, allow_none=True)
    owner_id = fields.UUID(load_only=True, allow_none=True,
                           metadata={"description": "Owning recruiter (default: you)"})
    owner_email = fields.Email(load_only=True, metadata={"description": "Or the owner's email"})
    last_contact_at = fields.DateTime(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)

    def __init__(self, *args: Any, permissions: frozenset[str] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.permissions = permissions

    def _permissions(self) -> frozenset[str]:
        return self.permissions if self.permissions is not None else viewer_permissions()

    @validates("timezone")
    def check_timezone(self, value: str | None, **_: Any) -> None:
        if value is not None:
            check_timezone_name(value)

    @validates("birthday")
    def check_birthday(self, value: Any, **_: Any) -> None:
        if value is not None and value > utcnow().date():
            raise ma.ValidationError("A birthday cannot be in the future.")

    @pre_load
    def refuse_restricted_writes(self, data: Any, **_: Any) -> Any:
        if isinstance(data, Mapping):
            allowed = self._permissions()
            for name, (_read, write) in RESTRICTED.items():
                if name in data and write not in allowed:
                    raise RestrictedFieldWrite(name, write)
        return data

    @post_load
    def without_repeats(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        for name in ("emails", "phones", "values"):
            if name in data:
                data[name] = contacts.unique(data[name])
        if "skills" in data:
            data["skills"] = contacts.unique(s.lower() for s in data["skills"])
        return data

    @post_dump
    def drop_unreadable(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        allowed = self._permissions()
        for name, (read, _write) in RESTRICTED.items():
            if read not in allowed:
                data.pop(name, None)
        return data


class CandidatePatchSchema(CandidateSchema):
    """A change: any writable fields; lists given are replaced whole."""

    name = Text(validate=[validate.Length(min=1, max=200), _not_blank])


class CandidatePageSchema(ma.Schema):
    items = fields.List(fields.Nested(CandidateSchema))
    next_cursor = fields.String(allow_none=True)


class CandidateListArgsSchema(PageArgsSchema):
    q = fields.String(load_default=None, validate=validate.Length(max=2000),
                      metadata={"description": "A segment query, e.g. status:stalled"})


class OpenQuestionSchema(ma.Schema):
    text = fields.String()
    answered_at = fields.DateTime(allow_none=True)


class InteractionSchema(ma.Schema):
    """An interaction as the API returns it."""

    id = fields.UUID()
    occurred_at = fields.DateTime()
    channel = fields.String(allow_none=True)
    direction = fields.String()
    summary = fields.String()
    quote = fields.String(allow_none=True)
    open_questions = fields.List(fields.Nested(OpenQuestionSchema))
    author = fields.Nested(PersonSchema, allow_none=True)
    version = fields.Integer()
    edited_at = fields.DateTime(allow_none=True)


def _not_in_future(value: Any) -> None:
    if value is not None and (value - utcnow()).total_seconds() > 600:
        raise ma.ValidationError("An interaction cannot happen in the future.")


class InteractionWriteSchema(ma.Schema):
    """What a client sends to record an interaction (open questions as plain texts)."""

    occurred_at = fields.AwareDateTime(validate=_not_in_future,
                                       metadata={"description": "Default: now"})
    channel = fields.String(allow_none=True, validate=validate.OneOf(CHANNELS))
    direction = fields.String(load_default="note", validate=validate.OneOf(DIRECTIONS))
    summary = Text(required=True, validate=[validate.Length(min=1, max=MAX_SUMMARY), _not_blank])
    quote = Text(allow_none=True, validate=validate.Length(max=MAX_QUOTE))
    open_questions = fields.List(
        Text(validate=[validate.Length(min=1, max=MAX_QUESTION), _not_blank]),
        validate=validate.Length(max=MAX_QUESTIONS))


class InteractionPatchSchema(InteractionWriteSchema):
    """An edit; ``answered_questions`` marks open questions (by index) answered now."""

    direction = fields.String(validate=validate.OneOf(DIRECTIONS))
    summary = Text(validate=[validate.Length(min=1, max=MAX_SUMMARY), _not_blank])
    answered_questions = fields.List(fields.Integer(validate=validate.Range(min=0)),
                                     validate=validate.Length(max=MAX_QUESTIONS))


class InteractionPageSchema(ma.Schema):
    items = fields.List(fields.Nested(InteractionSchema))
    next_cursor = fields.String(allow_none=True)


class InteractionRevisionSchema(ma.Schema):
    """An earlier version of an interaction, replaced at ``replaced_at``."""

    version = fields.Integer()
    occurred_at = fields.DateTime()
    channel = fields.String(allow_none=True)
    direction = fields.String()
    summary = fields.String()
    quote = fields.String(allow_none=True)
    open_questions = fields.List(fields.Nested(OpenQuestionSchema))
    replaced_at = fields.DateTime()
    replaced_by = fields.Nested(PersonSchema, allow_none=True)


class InteractionRevisionListSchema(ma.Schema):
    items = fields.List(fields.Nested(InteractionRevisionSchema))
