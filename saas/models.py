"""Imports every model (and job module) so metadata, Alembic and schedules see them all."""

from saas.audit.models import AuditEvent, PlatformAuditEvent
from saas.auth.models import ApiToken, StaffUser, User
from saas.candidates.models import Candidate, CandidateContactKey, CandidateSkill
from saas.candidates.timeline import Interaction, InteractionRevision
from saas.crypto.keys import DataKey
from saas.hooks import jobs as hook_jobs  # noqa: F401  (registers its schedule)
from saas.hooks.models import PluginSetting
from saas.offers import jobs as offer_jobs  # noqa: F401  (registers the offer sweep)
from saas.offers.models import Offer
from saas.queue.models import QueueDecision
from saas.segments.models import SavedSegment
from saas.tags import primary_reason  # noqa: F401  (keeps Candidate.reason in step)
from saas.tags.models import CandidateTag, Tag, TagCorrection
from saas.tenancy.models import Tenant

__all__ = [
    "ApiToken",
    "AuditEvent",
    "Candidate",
    "CandidateContactKey",
    "CandidateSkill",
    "CandidateTag",
    "DataKey",
    "Interaction",
    "InteractionRevision",
    "Offer",
    "PlatformAuditEvent",
    "PluginSetting",
    "QueueDecision",
    "SavedSegment",
    "StaffUser",
    "Tag",
    "TagCorrection",
    "Tenant",
    "User",
]
