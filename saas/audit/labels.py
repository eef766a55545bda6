"""Audit actions, outcomes and actors in words, for pages (the stored codes never change).

Every action code passed to ``audit.record`` needs a label here;
``tests/audit/test_labels.py`` scans the code and fails on a missing one.
"""

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
    "settings.changed": _l("Changed the workspace settings"),
    "candidate.created": _l("Added a candidate"),
    "candidate.updated": _l("Changed a candidate"),
    "candidate.deleted": _l("Deleted a candidate"),
    "candidate.erased": _l("Erased a candidate's personal data"),
    "candidate.exported": _l("Exported everything held about a candidate"),
    "candidate.compensation_revealed": _l("Revealed a candidate's compensation"),
    "candidate.tag_added": _l("Tagged a candidate"),
    "candidate.tag_removed": _l("Removed a tag from a candidate"),
    "candidate.tag_accepted": _l("Confirmed an inferred tag"),
    "candidate.tag_corrected": _l("Corrected an inferred tag"),
    "interaction.created": _l("Added to a timeline"),
    "interaction.edited": _l("Edited a timeline entry"),
    "offer.created": _l("Recorded an offer"),
    "offer.answered": _l("Recorded the answer to an offer"),
    "offer.reason_set": _l("Set why an offer stalled"),
    "offer.swept": _l("Marked overdue offers as stalled"),
    "tag.created": _l("Created a tag"),
    "tag.deleted": _l("Deleted a tag"),
    "segment.created": _l("Saved a segment"),
    "segment.updated": _l("Changed a segment"),
    "segment.deleted": _l("Deleted a segment"),
    "segment.tagged": _l("Tagged everyone in a segment"),
    "queue.snoozed": _l("Snoozed a candidate in the queue"),
    "queue.dismissed": _l("Dismissed a candidate from the queue"),
    "queue.decision_undone": _l("Undid a queue decision"),
    "queue.dismissal_lifted": _l("Ended a dismissal: a newer interaction was recorded"),
    "consent.recorded": _l("Recorded a consent"),
    "consent.withdrawn": _l("Recorded a withdrawal of consent"),
    "legal_hold.set": _l("Placed a legal hold"),
    "legal_hold.changed": _l("Changed a legal hold"),
    "legal_hold.cleared": _l("Lifted a legal hold"),
    "retention.warned": _l("Warned of a retention erasure"),
    "retention.cleared": _l("Cancelled a retention erasure"),
    "template.created": _l("Created a message template"),
    "template.updated": _l("Changed a message template"),
    "template.deleted": _l("Deleted a message template"),
    "outreach.queued": _l("Queued a message to a candidate"),
    "outreach.sent": _l("Sent a message to a candidate"),
    "outreach.failed": _l("A message could not be sent"),
    "outreach.queued_batch": _l("Queued a campaign step's messages"),
    "outreach.sent_batch": _l("Sent a batch of messages"),
    "outreach.failed_batch": _l("A batch of messages could not be sent"),
    "outreach.reply": _l("Received a reply from a candidate"),
    "outreach.reply_unmatched": _l("Received a reply from an unknown sender"),
    "candidate.re_engaged": _l("A candidate re-engaged"),
    "opening.created": _l("Added an opening"),
    "opening.updated": _l("Changed an opening"),
    "opening.deleted": _l("Deleted an opening"),
    "change_event.created": _l("Recorded a company change"),
    "change_event.updated": _l("Edited a company change"),
    "change_event.deleted": _l("Deleted a company change"),
    "campaign.created": _l("Created a campaign"),
    "campaign.launched": _l("Launched a campaign"),
    "campaign.paused": _l("Paused a campaign"),
    "campaign.resumed": _l("Resumed a campaign"),
    "campaign.deleted": _l("Deleted a campaign"),
    "campaign.refused": _l("The contact policy held back campaign messages"),
    "audit.exported": _l("Exported the audit trail"),
    "audit.verified": _l("Verified the audit trail"),
}

OUTCOME_LABELS: dict[str, LazyString] = {
    "success": _l("Done"),
    "failure": _l("Failed"),
    "denied": _l("Refused"),
}

ACTOR_KIND_LABELS: dict[str, LazyString] = {
    "user": _l("Team member"),
    "staff": _l("Rekindle staff"),
    "token": _l("API token"),
    "system": _l("Rekindle (automatic)"),
    "anonymous": _l("Someone not signed in"),
}


def action_label(action: str, outcome: str = "success") -> str:
    label = str(ACTION_LABELS.get(action, action))
    if outcome == "failure":
        return str(_l("%(action)s (failed)", action=label))
    if outcome == "denied":
        return str(_l("%(action)s (refused)", action=label))
    return label


def action_choices() -> list[tuple[str, str]]:
    """Every known action as (code, label), sorted by label in the current language."""
    return sorted(((code, str(label)) for code, label in ACTION_LABELS.items()),
                  key=lambda choice: choice[1].lower())
