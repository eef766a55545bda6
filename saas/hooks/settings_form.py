"""A web form generated from a plugin's marshmallow settings schema.

Plugins describe their settings once, in the schema; the settings page is built
from it. A field may carry ``metadata={"label": ..., "description": ...}``, each
a string or a mapping from locale (``en``, ``zh-CN``) to text, and a select's
options may be named with ``"choice_labels"``. Secret fields are never shown
back: the page says whether one is set, and leaving it empty keeps it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate
from werkzeug.datastructures import MultiDict

from saas.web.i18n import current_locale_tag


@dataclass
class SettingsField:
    name: str
    label: str
    kind: str  # text | number | email | checkbox | select | password
    required: bool
    value: Any = None
    choices: list[tuple[str, str]] = field(default_factory=list)
    secret: bool = False
    secret_set: bool = False
    description: str = ""
    errors: list[str] = field(default_factory=list)


def localized(text: Any) -> str:
    """A plugin's text: a string, or a mapping from locale to text (the request's, else ``en``)."""
    if isinstance(text, Mapping):
        tag = current_locale_tag()
        return str(text.get(tag) or text.get("en") or next(iter(text.values()), ""))
    return str(text or "")


def _kind(f: fields.Field[Any]) -> tuple[str, list[tuple[str, str]]]:
    labels = f.metadata.get("choice_labels") or {}
    for validator in getattr(f, "validators", []):
        if isinstance(validator, validate.OneOf):
            return "select", [
                (str(c), localized(labels.get(c)) or str(c)) for c in validator.choices
            ]
    if f.metadata.get("secret"):
        return "password", []
    if isinstance(f, fields.Boolean):
        return "checkbox", []
    if isinstance(f, fields.Integer | fields.Float | fields.Decimal):
        return "number", []
    if isinstance(f, fields.Email):
        return "email", []
    return "text", []


def build_fields(
    schema_cls: type[ma.Schema], values: Mapping[str, Any], errors: Mapping[str, Any] | None = None
) -> list[SettingsField]:
    """The form's fields, filled from ``values`` (a ``settings_view``-shaped mapping)."""
    out = []
    for name, f in schema_cls().fields.items():
        if f.dump_only:
            continue
        kind, choices = _kind(f)
        secret = bool(f.metadata.get("secret"))
        stored = values.get(name)
        default = f.load_default if f.load_default is not ma.missing else None
        value = None if secret else (stored if stored is not None else default)
        problems = (errors or {}).get(name, [])
        out.append(SettingsField(
            name=name,
            label=localized(f.metadata.get("label")) or name.replace("_", " ").capitalize(),
            kind=kind,
            required=bool(f.required),
            value=value,
            choices=choices,
            secret=secret,
            secret_set=bool(isinstance(stored, Mapping) and stored.get("set")),
            description=localized(f.metadata.get("description")),
            errors=[str(p) for p in problems] if isinstance(problems, list) else [str(problems)],
        ))
    return out


def read_form(schema_cls: type[ma.Schema], form: MultiDict[str, str]) -> dict[str, Any]:
    """The submitted settings as the schema expects them.

    Empty optional fields are left out (the schema's default applies, or None
    where allowed); an empty secret is left out so the stored one is kept.
    """
    raw: dict[str, Any] = {}
    for name, f in schema_cls().fields.items():
        if f.dump_only:
            continue
        if isinstance(f, fields.Boolean):
            raw[name] = name in form
            continue
        text = form.get(name, "").strip()
        if text == "":
            if f.metadata.get("secret"):
                continue
            if f.required:
                raw[name] = ""
            elif f.allow_none:
                raw[name] = None
            continue
        raw[name] = text
    return raw


def form_values(fields_: list[SettingsField]) -> dict[str, Any]:
    return {f.name: f.value for f in fields_}
