"""Imports every model (and job module) so metadata, Alembic and schedules see them all."""

from saas.audit.models import (
    AuditChainHead,
    AuditEvent,
    PlatformAuditChainHead,
    PlatformAuditEvent,
)
from saas.auth.models import ApiToken, StaffUser, User
from saas.backups import jobs as backup_jobs  # noqa: F401  (registers the daily backup)
from saas.backups.models import BackupRecord
from saas.campaigns import jobs as campaign_jobs  # noqa: F401  (registers the step runner)
from saas.campaigns.models import Campaign, CampaignEnrollment, CampaignStep
from saas.candidates.models import Candidate, CandidateContactKey, CandidateSkill
from saas.candidates.timeline import Interaction, InteractionRevision
from saas.crypto.keys import DataKey, KeyRotation
from saas.hooks import jobs as hook_jobs  # noqa: F401  (registers its schedule)
from saas.hooks.models import PluginSetting
from saas.offers import jobs as offer_jobs  # noqa: F401  (registers the offer sweep)
from saas.offers.models import Offer
from saas.openings import queue_reasons as opening_reasons  # noqa: F401  (queue reasons)
from saas.openings.models import ChangeEvent, Opening
from saas.outreach import jobs as outreach_jobs  # noqa: F401  (registers the outbox sweep)
from saas.outreach.models import InboundMessage, OutboundMessage, Template, WebhookReceipt
from saas.privacy import jobs as privacy_jobs  # noqa: F401  (registers the retention pass)
from saas.privacy.models import ConsentRecord, ErasureTally, RetentionNotice
from saas.queue.models import QueueDecision
from saas.segments.models import SavedSegment
from saas.tags import primary_reason  # noqa: F401  (keeps Candidate.reason in step)
from saas.tags.models import CandidateTag, Tag, TagCorrection
from saas.tenancy.models import Tenant

__all__ = [
    "ApiToken",
    "AuditChainHead",
    "AuditEvent",
    "BackupRecord",
    "Campaign",
    "CampaignEnrollment",
    "CampaignStep",
    "Candidate",
    "CandidateContactKey",
    "CandidateSkill",
    "CandidateTag",
    "ChangeEvent",
    "ConsentRecord",
    "DataKey",
    "ErasureTally",
    "InboundMessage",
    "Interaction",
    "InteractionRevision",
    "KeyRotation",
    "Offer",
    "Opening",
    "OutboundMessage",
    "PlatformAuditChainHead",
    "PlatformAuditEvent",
    "PluginSetting",
    "QueueDecision",
    "RetentionNotice",
    "SavedSegment",
    "StaffUser",
    "Tag",
    "TagCorrection",
    "Template",
    "Tenant",
    "User",
    "WebhookReceipt",
]
