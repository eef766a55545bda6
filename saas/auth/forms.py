"""Sign-in form (CSRF-protected by Flask-WTF)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, Length, Regexp


class LoginForm(FlaskForm):  # type: ignore[misc]
    workspace = StringField(
        "Workspace",
        validators=[DataRequired(), Regexp(r"^[a-z0-9-]{2,40}$", message="Not a workspace name.")],
    )
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])
