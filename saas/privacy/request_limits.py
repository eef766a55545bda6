"""Rate limits of access exports and erasures: per user, shared by the API and the pages.

Each limit is one budget whichever way the person asks (``shared_limit`` with
one scope), read from the configuration at request time (an erasure counts
its POSTs only, not the confirmation page):
``ACCESS_EXPORT_LIMIT`` (default 20 per hour) and ``ERASURE_LIMIT`` (default
20 per hour). Storage is Redis when ``REDIS_URL`` is set (see saas.config).
"""

from __future__ import annotations

from flask import current_app
from flask_login import current_user

from saas.extensions import limiter

DEFAULT_EXPORT_LIMIT = "20 per hour"
DEFAULT_ERASURE_LIMIT = "20 per hour"


def _per_user() -> str:
    return f"{getattr(current_user, 'tenant_id', '-')}:{getattr(current_user, 'id', '-')}"


export_limit = limiter.shared_limit(
    lambda: str(current_app.config.get("ACCESS_EXPORT_LIMIT", DEFAULT_EXPORT_LIMIT)),
    scope="candidate-access-export", key_func=_per_user)
erasure_limit = limiter.shared_limit(
    lambda: str(current_app.config.get("ERASURE_LIMIT", DEFAULT_ERASURE_LIMIT)),
    scope="candidate-erasure", key_func=_per_user, methods=["POST"])
