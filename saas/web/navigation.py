"""The navigation: what each role may open, in one list.

Each capability adds its pages with ``add_nav_item``; the layout shows only the
items whose permission the signed-in user (or staff member) holds.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import request, url_for
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_login import current_user


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: LazyString
    permission: str | None  # None: every signed-in tenant user
    section: str = "main"  # main | settings | platform
    order: int = 100


_ITEMS: list[NavItem] = []


def add_nav_item(item: NavItem) -> None:
    if all(existing.endpoint != item.endpoint for existing in _ITEMS):
        _ITEMS.append(item)
        _ITEMS.sort(key=lambda i: (i.section, i.order))


@dataclass(frozen=True)
class NavLink:
    href: str
    label: str
    section: str
    active: bool


def visible_items() -> list[NavLink]:
    """The links the current user may follow, marking the one being viewed."""
    if not current_user.is_authenticated:
        return []
    staff = current_user.kind == "staff"
    allowed = [
        item for item in _ITEMS
        if (item.section == "platform") == staff
        and (item.permission is None or current_user.can(item.permission))
    ]
    hrefs = [url_for(item.endpoint) for item in allowed]
    # The current page is the link with the longest path that contains it.
    matching = [
        h for h in hrefs
        if request.path == h or (h != "/" and request.path.startswith(h.rstrip("/") + "/"))
    ]
    current = max(matching, key=len) if matching else None
    links = [
        NavLink(href, str(item.label), item.section, href == current)
        for item, href in zip(allowed, hrefs, strict=True)
    ]
    return links


add_nav_item(NavItem("web.home", _l("Today"), None, "main", 0))
add_nav_item(NavItem("settings.users", _l("Team"), "user:read", "settings", 10))
add_nav_item(NavItem("settings.tokens", _l("API tokens"), "token:manage_own", "settings", 20))
add_nav_item(NavItem("plugin_pages.index", _l("Plugins"), "plugin:read", "settings", 30))
add_nav_item(NavItem("console.tenants", _l("Tenants"), "platform:tenants:read", "platform", 0))
