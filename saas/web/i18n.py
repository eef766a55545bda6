"""Languages and time zones: who sees which language, and when.

The language is the signed-in user's choice, then their tenant's locale; a
visitor who is not signed in gets what they picked on the sign-in page, then
what their browser asks for. Times are shown in the user's time zone, then the
tenant's. Product locales are BCP 47 tags (``zh-CN``, ``en``); Babel's catalogs
use its own identifiers (``zh_Hans_CN``).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from flask import Flask, g, has_request_context, request, session
from flask_babel import Babel, format_timedelta, get_timezone
from flask_login import current_user

from saas.extensions import db
from saas.tenancy.models import LOCALES, Tenant
from saas.timeutil import utcnow

LANGUAGE_NAMES = {"zh-CN": "中文", "en": "English"}
BABEL_LOCALES = {"zh-CN": "zh_Hans_CN", "en": "en"}
SESSION_LOCALE = "locale"
DEFAULT_TIMEZONE = "UTC"

babel = Babel()


def current_tenant() -> Tenant | None:
    """The signed-in user's tenant (looked up once per request)."""
    if "current_tenant" not in g:
        tenant_id = getattr(current_user, "tenant_id", None)
        g.current_tenant = db.session.get(Tenant, tenant_id) if tenant_id else None
    tenant: Tenant | None = g.current_tenant
    return tenant


def current_locale_tag() -> str:
    """The product locale (``zh-CN`` or ``en``) of this request (``en`` outside one)."""
    if not has_request_context():
        return "en"
    chosen = getattr(current_user, "locale", None) if current_user.is_authenticated else None
    if chosen in LOCALES:
        return str(chosen)
    tenant = current_tenant() if current_user.is_authenticated else None
    if tenant is not None and tenant.locale in LOCALES:
        return tenant.locale
    picked = session.get(SESSION_LOCALE)
    if picked in LOCALES:
        return str(picked)
    best = request.accept_languages.best_match(["en", "zh-CN", "zh"], default="en")
    return "zh-CN" if best.startswith("zh") else "en"


def select_locale() -> str:
    return BABEL_LOCALES[current_locale_tag()]


def select_timezone() -> str:
    if not has_request_context():
        return DEFAULT_TIMEZONE
    chosen = getattr(current_user, "timezone", None) if current_user.is_authenticated else None
    if chosen:
        return str(chosen)
    tenant = current_tenant() if current_user.is_authenticated else None
    return tenant.timezone if tenant is not None else DEFAULT_TIMEZONE


def ago(moment: dt.datetime | None) -> str:
    """'3 months ago' / '3个月前', relative to now, in the request's language."""
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return str(format_timedelta(moment - utcnow(), add_direction=True, granularity="minute"))


def valid_timezone(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def common_timezones() -> list[str]:
    return sorted(zoneinfo.available_timezones() - {"Factory", "localtime"})


def template_globals() -> dict[str, Any]:
    return {
        "page_lang": current_locale_tag(),
        "language_names": LANGUAGE_NAMES,
        "user_timezone": str(get_timezone()),
    }


def init_i18n(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "en")
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    app.jinja_env.filters["ago"] = ago
    app.context_processor(template_globals)
