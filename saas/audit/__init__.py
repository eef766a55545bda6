"""Audit trail."""

from saas.audit.service import ActorKind, Outcome, record

__all__ = ["ActorKind", "Outcome", "record"]
