"""Audit actions in words, for pages (the stored codes never change)."""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

ACTION_LABELS: dict[str, LazyString] = {
    "auth.login": _l("Signed in"),
    "auth.logout": _l("Signed out"),
    "auth.password_changed": _l("Changed their password"),
    "permission.denied": _l("Was refused a page or action"),
    "plugin.configured": _l("Changed plugin settings"),
    "staff.created": _l("Staff account created"),
    "staff.tenant_viewed": _l("Staff opened this tenant"),
    "tenant.applied": _l("Tenant settings applied from a manifest"),
    "tenant.apply_rejected": _l("A manifest was refused"),
    "token.created": _l("Created an API token"),
    "token.revoked": _l("Revoked an API token"),
    "user.created": _l("Added a team member"),
    "user.updated": _l("Changed a team member"),
    "account.updated": _l("Changed their account settings"),
}


def action_label(action: str, outcome: str = "success") -> str:
    label = str(ACTION_LABELS.get(action, action))
    if outcome == "failure":
        return str(_l("%(action)s (failed)", action=label))
    if outcome == "denied":
        return str(_l("%(action)s (refused)", action=label))
    return label
