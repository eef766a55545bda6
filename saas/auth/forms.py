"""Web forms for signing in, the account page and team settings (CSRF by Flask-WTF)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length, Regexp, ValidationError

from saas.auth.passwords import PasswordPolicyError, check_policy
from saas.auth.permissions import TENANT_ROLES
from saas.web.i18n import LANGUAGE_NAMES, valid_timezone

ROLE_LABELS = {
    "tenant_admin": _l("Tenant admin"),
    "recruiter": _l("Recruiter"),
    "hiring_manager": _l("Hiring manager"),
    "analyst": _l("Analyst"),
    "customer_success": _l("Customer success"),
}


def _policy(_form: Any, field: Any) -> None:
    try:
        check_policy(field.data or "")
    except PasswordPolicyError as exc:
        raise ValidationError(str(exc)) from exc


def _timezone(_form: Any, field: Any) -> None:
    if field.data and not valid_timezone(field.data):
        raise ValidationError(str(_l("Not a time zone Rekindle knows, e.g. Asia/Shanghai.")))


class LoginForm(FlaskForm):  # type: ignore[misc]
    workspace = StringField(
        _l("Workspace"),
        validators=[
            DataRequired(), Regexp(r"^[a-z0-9-]{2,40}$", message=_l("Not a workspace name.")),
        ],
    )
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])


class StaffLoginForm(FlaskForm):  # type: ignore[misc]
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])


class ProfileForm(FlaskForm):  # type: ignore[misc]
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=200)])
    locale = SelectField(
        _l("Language"), choices=[SelectChoice("", _l("Workspace default")),
                 *(SelectChoice(tag, name) for tag, name in LANGUAGE_NAMES.items())],
    )
    timezone = StringField(
        _l("Time zone"), validators=[Length(max=64), _timezone],
        description=_l("Times are shown in this zone. Leave empty for the workspace's."),
    )


class PasswordForm(FlaskForm):  # type: ignore[misc]
    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    new = PasswordField(
        _l("New password"), validators=[DataRequired(), _policy],
        description=_l("At least 12 characters; a phrase of a few words works well."),
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new", message=_l("The two passwords differ."))],
    )


class UserForm(FlaskForm):  # type: ignore[misc]
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    role = SelectField(_l("Role"), choices=[SelectChoice(r, ROLE_LABELS[r]) for r in TENANT_ROLES])
    password = PasswordField(
        _l("First password"), validators=[DataRequired(), _policy],
        description=_l("Share it privately; they can change it on their account page."),
    )


class UserEditForm(FlaskForm):  # type: ignore[misc]
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    role = SelectField(_l("Role"), choices=[SelectChoice(r, ROLE_LABELS[r]) for r in TENANT_ROLES])


class TokenForm(FlaskForm):  # type: ignore[misc]
    name = StringField(
        _l("What is it for?"), validators=[DataRequired(), Length(max=100)],
        description=_l("For example: ERP sync, or a script's name."),
    )
