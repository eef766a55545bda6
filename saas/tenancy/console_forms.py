"""The staff console's manifest form and the words it shows for stored codes."""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileSize
from wtforms import TextAreaField
from wtforms.validators import Length

# A manifest is a few kilobytes; these bounds keep a paste or an upload sane.
MAX_MANIFEST_CHARS = 64 * 1024
MAX_MANIFEST_BYTES = 64 * 1024

PLAN_LABELS: dict[str, LazyString] = {
    "standard": _l("Standard"),
    "custom": _l("Custom"),
}
STATUS_LABELS: dict[str, LazyString] = {
    "active": _l("Active"),
    "suspended": _l("Suspended"),
}


class ManifestForm(FlaskForm):  # type: ignore[misc]
    """One tenant manifest, typed (or pasted) into the text area or uploaded as a file."""

    manifest = TextAreaField(
        _l("Manifest (TOML)"),
        validators=[Length(max=MAX_MANIFEST_CHARS, message=_l(
            "A manifest may have at most %(max)d characters."))],
        description=_l(
            "The same format as the tenants apply command. Users not listed are left as they are; "
            "plugins not listed are turned off. password_env is not accepted here: give "
            "password, or leave it out and the user is added without one."
        ),
    )
    upload = FileField(
        _l("Or upload a .toml file"),
        validators=[
            FileAllowed(["toml"], _l("Upload a file ending in .toml.")),
            FileSize(max_size=MAX_MANIFEST_BYTES, message=_l("The file is larger than 64 KB.")),
        ],
        description=_l("An uploaded file replaces what is in the text area."),
    )
