"""Loading files of candidates with their timelines and offers, and the company's
openings and news (demo data, trials).

One JSON object per line. A candidate is the profile as in the API, plus
``owner_email``, ``contract_end_in_days``, ``status``, ``interactions`` (each
with ``days_ago`` instead of a time) and ``offer`` (``sent_days_ago``,
``respond_within_days``) and ``consents`` (``channel``, ``basis``, ``source``,
``days_ago``). A line with ``"type": "opening"`` or ``"type": "change_event"``
is one of the company's openings or change events (:mod:`saas.openings.seed`).
Dates are relative to the day of loading, so demo data stays alive. Everything
goes through the same services as the API: contact points are encrypted and
indexed, every note runs the insight extractor, an overdue offer stalls with its
reason, an opening published is announced as a change event. All lines of all
files are checked before anything is written; a candidate whose email or phone
is already known is skipped, and so are an opening or change event already there
(see :mod:`saas.openings.seed`), so loading twice adds nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import marshmallow as ma

from saas.api.problems import flatten_errors
from saas.auth.users import find_by_email
from saas.candidates.interactions import add_interaction
from saas.candidates.schemas import CandidateSchema, InteractionWriteSchema
from saas.candidates.services import DuplicateCandidate, create_candidate, update_candidate
from saas.extensions import db
from saas.offers.services import create_offer
from saas.openings.matching import schedule_match_refresh
from saas.openings.seed import SEED_TYPES, CompanyEntry, load_company_entries, parse_company_line
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
    openings: int = 0
    change_events: int = 0
    # Openings and change events already there.
    company_skipped: int = 0
    names: list[str] = field(default_factory=list)


@dataclass
class _Entry:
    where: str
    profile: dict[str, Any]
    owner_email: str | None
    status: str | None
    interactions: list[dict[str, Any]]
    offer: dict[str, int] | None
    consents: list[dict[str, Any]]


@dataclass
class _Parsed:
    candidates: list[_Entry] = field(default_factory=list)
    company: list[CompanyEntry] = field(default_factory=list)


def _consent_problem(consents: Any) -> str | None:
    if not isinstance(consents, list):
        return "a list is expected"
    for item in consents:
        if not isinstance(item, dict) or item.get("channel") not in CONSENT_CHANNELS \
                or item.get("basis") not in BASES:
            return f"each needs a channel of {', '.join(CONSENT_CHANNELS)} " \
                   f"and a basis of {', '.join(BASES)}"
    return None


def _field_problems(where: str, exc: ma.ValidationError) -> list[str]:
    return [f"{where}: {key}: {'; '.join(messages)}"
            for key, messages in flatten_errors(exc.messages).items()]


def _parse(paths: list[Path], now: dt.datetime) -> _Parsed:
    problems: list[str] = []
    parsed = _Parsed()
    for path in paths:
        problems.extend(_parse_file(path, now, parsed))
    if problems:
        raise SeedError(problems)
    return parsed


def _parse_file(path: Path, now: dt.datetime, parsed: _Parsed) -> list[str]:
    """Check every line of ``path`` into ``parsed``; the problems found."""
    problems: list[str] = []
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
        kind = raw.pop("type", "candidate")
        if kind in SEED_TYPES:
            try:
                parsed.company.append(parse_company_line(kind, raw, number, now))
            except ma.ValidationError as exc:
                problems.extend(_field_problems(where, exc))
            continue
        if kind != "candidate":
            problems.append(f"{where}: type: one of candidate, {', '.join(SEED_TYPES)}")
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
            problems.extend(_field_problems(where, exc))
            continue
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(f"{where}: interactions: each needs days_ago ({exc})")
            continue
        consent_problem = _consent_problem(extras.get("consents", []))
        if consent_problem:
            problems.append(f"{where}: consents: {consent_problem}")
            continue
        parsed.candidates.append(_Entry(
            where, profile, extras.get("owner_email"), extras.get("status"), interactions,
            extras.get("offer"), extras.get("consents", [])))
    return problems


def load_seed_file(path: str | Path, *, now: dt.datetime | None = None) -> SeedResult:
    """Load one file: see :func:`load_seed_files`."""
    return load_seed_files([path], now=now)


def load_seed_files(paths: Sequence[str | Path], *,
                    now: dt.datetime | None = None) -> SeedResult:
    """Load ``paths`` into the current tenant (call inside its tenant context): all lines
    of all files are checked first, then everything is written and committed at once."""
    now = now or utcnow()
    parsed = _parse([Path(path) for path in paths], now)
    owners = {e.owner_email.lower() for e in parsed.candidates if e.owner_email}
    known = {email for email in owners if find_by_email(email) is not None}
    unknown = [f"{e.where}: owner_email: no user {e.owner_email} in this workspace"
               for e in parsed.candidates
               if e.owner_email and e.owner_email.lower() not in known]
    if unknown:
        raise SeedError(unknown)
    company = load_company_entries(parsed.company)
    result = SeedResult(openings=company.openings, change_events=company.change_events,
                        company_skipped=company.skipped)
    for entry in parsed.candidates:
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
    if company.scores_changed:
        schedule_match_refresh()
    return result
