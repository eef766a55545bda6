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
    links = []
    for item in _ITEMS:
        if (item.section == "platform") != staff:
            continue
        if item.permission is not None and not current_user.can(item.permission):
            continue
        href = url_for(item.endpoint)
        active = request.endpoint == item.endpoint or (
            href != "/" and request.path.startswith(href)
        )
        links.append(NavLink(href, str(item.label), item.section, active))
    return links


add_nav_item(NavItem("web.home", _l("Today"), None, "main", 0))
add_nav_item(NavItem("settings.users", _l("Team"), "user:read", "settings", 10))
add_nav_item(NavItem("settings.tokens", _l("API tokens"), "token:manage_own", "settings", 20))
add_nav_item(NavItem("plugin_pages.index", _l("Plugins"), "plugin:read", "settings", 30))
add_nav_item(NavItem("console.tenants", _l("Tenants"), "platform:tenants:read", "platform", 0))
