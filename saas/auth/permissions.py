"""Roles and the permissions they carry: the one table of ``resource:action``.

Endpoints declare what they need with ``require_permission``; schemas filter
restricted fields (compensation) by permission. Platform staff
(``customer_success``) are not tenant users and have platform permissions only.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    TENANT_ADMIN = "tenant_admin"
    RECRUITER = "recruiter"
    HIRING_MANAGER = "hiring_manager"
    ANALYST = "analyst"


TENANT_ROLES: tuple[str, ...] = tuple(r.value for r in Role)
STAFF_ROLE = "customer_success"

_CANDIDATE_WORK = {
    "candidate:read",
    "candidate:write",
    "interaction:read",
    "interaction:write",
    "offer:read",
    "offer:write",
    "tag:read",
    "tag:write",
    "segment:read",
    "segment:write",
    "opening:read",
    "template:read",
    "template:write",
    "outreach:send",
    "campaign:read",
    "campaign:write",
    "consent:read",
    "consent:write",
    "queue:read",
    "token:manage_own",
}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.TENANT_ADMIN: frozenset(
        _CANDIDATE_WORK
        | {
            "candidate:read_compensation",
            "candidate:write_compensation",
            "candidate:export",
            "candidate:erase",
            "opening:write",
            "event:write",
            "user:read",
            "user:write",
            "token:manage_all",
            "plugin:read",
            "plugin:write",
            "settings:read",
            "settings:write",
            "audit:read",
            "import:run",
            "analytics:read",
        }
    ),
    Role.RECRUITER: frozenset(_CANDIDATE_WORK | {"analytics:read", "import:run"}),
    Role.HIRING_MANAGER: frozenset(
        {
            "candidate:read",
            "candidate:read_compensation",
            "interaction:read",
            "interaction:write",
            "offer:read",
            "tag:read",
            "segment:read",
            "opening:read",
            "opening:write",
            "queue:read",
            "token:manage_own",
        }
    ),
    Role.ANALYST: frozenset(
        {"analytics:read", "segment:read", "tag:read", "opening:read", "token:manage_own"}
    ),
}

STAFF_PERMISSIONS: frozenset[str] = frozenset(
    {"platform:tenants:read", "platform:tenants:write", "platform:staff:read"}
)

ALL_PERMISSIONS: frozenset[str] = frozenset().union(*ROLE_PERMISSIONS.values()) | STAFF_PERMISSIONS


def permissions_for(role: str) -> frozenset[str]:
    if role == STAFF_ROLE:
        return STAFF_PERMISSIONS
    return ROLE_PERMISSIONS.get(role, frozenset())
