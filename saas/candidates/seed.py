"""Loading a file of candidates with their timelines and offers (demo data, trials).

One JSON object per line: the candidate's profile as in the API, plus
``owner_email``, ``contract_end_in_days``, ``status``, ``interactions`` (each
with ``days_ago`` instead of a time) and ``offer`` (``sent_days_ago``,
``respond_within_days``) and ``consents`` (``channel``, ``basis``, ``source``,
``days_ago``). Dates are relative to the day of loading, so demo
data stays alive. Everything goes through the same services as the API: contact
points are encrypted and indexed, every note runs the insight extractor, an
overdue offer stalls with its reason. All lines are checked before anything is
written; a candidate whose email or phone is already known is skipped, so
loading twice adds nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import marshmallow as ma
import sqlalchemy as sa

from saas.api.problems import flatten_errors
from saas.auth.models import User
from saas.candidates.interactions import add_interaction
from saas.candidates.schemas import CandidateSchema, InteractionWriteSchema
from saas.candidates.services import DuplicateCandidate, create_candidate, update_candidate
from saas.extensions import db
from saas.offers.services import create_offer
from saas.privacy.consent import record_consent
from saas.privacy.models import BASES, CONSENT_CHANNELS
from saas.timeutil import utcnow

EXTRA_KEYS = ("owner_email", "contract_end_in_days", "status", "interactions", "offer",
              "consents")


class SeedError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class SeedResult:
    created: int = 0
    skipped: int = 0
    interactions: int = 0
    offers: int = 0
    names: list[str] = field(default_factory=list)


@dataclass
class _Entry:
    line: int
    profile: dict[str, Any]
    owner_email: str | None
    status: str | None
    interactions: list[dict[str, Any]]
    offer: dict[str, int] | None
    consents: list[dict[str, Any]]


def _consent_problem(consents: Any) -> str | None:
    if not isinstance(consents, list):
        return "a list is expected"
    for item in consents:
        if not isinstance(item, dict) or item.get("channel") not in CONSENT_CHANNELS \
                or item.get("basis") not in BASES:
            return f"each needs a channel of {', '.join(CONSENT_CHANNELS)} " \
                   f"and a basis of {', '.join(BASES)}"
    return None


def _parse(path: Path, now: dt.datetime) -> list[_Entry]:
    problems: list[str] = []
    entries: list[_Entry] = []
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not text.strip():
            continue
        where = f"{path}:{number}"
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as exc:
            problems.append(f"{where}: not JSON ({exc.msg} at column {exc.colno})")
            continue
        if not isinstance(raw, dict):
            problems.append(f"{where}: a line must be a JSON object")
            continue
        extras = {key: raw.pop(key) for key in EXTRA_KEYS if key in raw}
        if "contract_end_in_days" in extras:
            raw["contract_end_date"] = (
                now.date() + dt.timedelta(days=int(extras["contract_end_in_days"]))).isoformat()
        try:
            profile = CandidateSchema().load(raw)
            interactions = [
                InteractionWriteSchema().load({
                    **{k: v for k, v in item.items() if k != "days_ago"},
                    "occurred_at": (now - dt.timedelta(days=int(item["days_ago"]))).isoformat(),
                })
                for item in extras.get("interactions", [])
            ]
        except ma.ValidationError as exc:
            problems.extend(f"{where}: {key}: {'; '.join(messages)}"
                            for key, messages in flatten_errors(exc.messages).items())
            continue
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(f"{where}: interactions: each needs days_ago ({exc})")
            continue
        consent_problem = _consent_problem(extras.get("consents", []))
        if consent_problem:
            problems.append(f"{where}: consents: {consent_problem}")
            continue
        entries.append(_Entry(number, profile, extras.get("owner_email"), extras.get("status"),
                              interactions, extras.get("offer"), extras.get("consents", [])))
    if problems:
        raise SeedError(problems)
    return entries


def load_seed_file(path: str | Path, *, now: dt.datetime | None = None) -> SeedResult:
    """Load ``path`` into the current tenant (call inside its tenant context); commits."""
    now = now or utcnow()
    entries = _parse(Path(path), now)
    known = {email.lower() for email in db.session.scalars(sa.select(User.email))}
    unknown = [f"{path}:{e.line}: owner_email: no user {e.owner_email} in this workspace"
               for e in entries if e.owner_email and e.owner_email.lower() not in known]
    if unknown:
        raise SeedError(unknown)
    result = SeedResult()
    for entry in entries:
        data = dict(entry.profile)
        if entry.owner_email:
            data["owner_email"] = entry.owner_email
        try:
            with db.session.begin_nested():
                candidate = create_candidate(data)
        except DuplicateCandidate:
            result.skipped += 1
            continue
        for item in sorted(entry.interactions, key=lambda i: i["occurred_at"]):
            add_interaction(candidate, item)
            result.interactions += 1
        for consent in entry.consents:
            record_consent(candidate, channel=consent["channel"], basis=consent["basis"],
                           source=consent.get("source", "demo data"),
                           given_at=now - dt.timedelta(days=int(consent.get("days_ago", 0))))
        if entry.offer:
            sent = now - dt.timedelta(days=int(entry.offer["sent_days_ago"]))
            respond_by = sent + dt.timedelta(days=int(entry.offer["respond_within_days"]))
            create_offer(candidate_id=candidate.id, sent_at=sent, respond_by=respond_by,
                         actor_kind="system", now=now)
            result.offers += 1
        if entry.status:
            update_candidate(candidate, {"status": entry.status})
        result.created += 1
    db.session.commit()
    return result
