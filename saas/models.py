"""Imports every model so the metadata (and Alembic) sees all tables."""

from saas.audit.models import AuditEvent, PlatformAuditEvent
from saas.auth.models import ApiToken, StaffUser, User
from saas.crypto.keys import DataKey
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
