"""Audit trail."""

from saas.audit.service import record

__all__ = ["record"]
