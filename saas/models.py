"""Imports every model (and job module) so metadata, Alembic and schedules see them all."""

from saas.audit.models import AuditEvent, PlatformAuditEvent
from saas.auth.models import ApiToken, StaffUser, User
from saas.crypto.keys import DataKey
from saas.hooks import jobs as hook_jobs  # noqa: F401  (registers its schedule)
from saas.hooks.models import PluginSetting
from saas.tenancy.models import Tenant

__all__ = [
    "ApiToken",
    "AuditEvent",
    "DataKey",
    "PlatformAuditEvent",
    "PluginSetting",
    "StaffUser",
    "Tenant",
    "User",
]
