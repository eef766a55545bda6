"""Contact points: normalising them, their blind-index keys and the duplicate check.

Emails are validated with email-validator and lower-cased; phones become E.164
(default region CN); a WeChat id is kept as typed (trimmed) and compared
case-insensitively. Each is indexed as a ``CandidateContactKey``
(``blind_index(kind, normalized)``), so "does this person already exist?" is
an exact lookup that never decrypts anything.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from urllib.parse import urlsplit

import phonenumbers
import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _

from saas.candidates.models import Candidate, CandidateContactKey
from saas.crypto.blind_index import blind_index, normalize_email
from saas.extensions import db

DEFAULT_PHONE_REGION = "CN"
MAX_WECHAT_ID = 64
MAX_URL = 300


class ContactError(ValueError):
    """A contact point that is not valid; the message names the value."""


def clean_email(value: str) -> str:
    """A valid email address, normalised (lower-cased), or ``ContactError``."""
    text = (value or "").strip()
    try:
        checked = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ContactError(_("“%(value)s” is not a valid email address.", value=text)) from exc
    return normalize_email(checked.normalized)


def clean_phone(value: str) -> str:
    """The phone number in E.164 (``+8613800138000``), or ``ContactError``."""
    text = (value or "").strip()
    message = _("“%(value)s” is not a valid phone number (e.g. +86 138 0013 8000).",
                value=text)
    try:
        number = phonenumbers.parse(text, DEFAULT_PHONE_REGION)
    except phonenumbers.NumberParseException as exc:
        raise ContactError(message) from exc
    if not phonenumbers.is_valid_number(number):
        raise ContactError(message)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def clean_wechat_id(value: str) -> str:
    text = (value or "").strip()
    if not text or len(text) > MAX_WECHAT_ID or any(c.isspace() for c in text):
        raise ContactError(_("“%(value)s” is not a WeChat id (no spaces, at most 64 characters).",
                             value=text))
    return text


def clean_linkedin_url(value: str) -> str:
    """An http(s) URL on linkedin.com (or one of its subdomains)."""
    text = (value or "").strip()
    parts = urlsplit(text)
    host = (parts.hostname or "").lower()
    on_linkedin = host == "linkedin.com" or host.endswith(".linkedin.com")
    if parts.scheme not in ("http", "https") or not on_linkedin or len(text) > MAX_URL:
        raise ContactError(_("“%(value)s” is not a LinkedIn profile URL "
                             "(https://www.linkedin.com/in/…).", value=text))
    return text


def unique(values: Iterable[str]) -> list[str]:
    """Values in their first order, without repeats."""
    return list(dict.fromkeys(values))


def contact_digests(
    emails: Iterable[str], phones: Iterable[str], wechat_id: str | None
) -> set[tuple[str, str]]:
    """``(kind, digest)`` of every (already normalised) contact point."""
    digests = {("email", blind_index("email", e)) for e in emails}
    digests |= {("phone", blind_index("phone", p)) for p in phones}
    if wechat_id:
        digests.add(("wechat", blind_index("wechat", wechat_id.lower())))
    return digests


def find_owner_of(
    digests: set[tuple[str, str]], *, excluding: uuid.UUID | None
) -> tuple[Candidate, str] | None:
    """Another candidate of the tenant holding one of these contact points, and its kind."""
    if not digests:
        return None
    wanted = sa.or_(*(sa.and_(CandidateContactKey.kind == kind, CandidateContactKey.digest == d)
                      for kind, d in digests))
    stmt = sa.select(CandidateContactKey).where(wanted)
    if excluding is not None:
        stmt = stmt.where(CandidateContactKey.candidate_id != excluding)
    with db.session.no_autoflush:
        key = db.session.scalars(stmt.limit(1)).first()
        if key is None:
            return None
        existing = db.session.scalars(
            sa.select(Candidate).where(Candidate.id == key.candidate_id)).first()
    return (existing, key.kind) if existing is not None else None


def sync_contact_keys(candidate_id: uuid.UUID, digests: set[tuple[str, str]]) -> None:
    """Make the candidate's contact keys exactly ``digests``."""
    current = {(k.kind, k.digest): k for k in db.session.scalars(
        sa.select(CandidateContactKey).where(CandidateContactKey.candidate_id == candidate_id))}
    for pair, key in current.items():
        if pair not in digests:
            db.session.delete(key)
    for kind, digest in digests - set(current):
        db.session.add(CandidateContactKey(candidate_id=candidate_id, kind=kind, digest=digest))
