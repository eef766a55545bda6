"""Where a form may send the browser afterwards: only back into this site."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import url_for


def safe_next(target: str | None, default_endpoint: str = "web.home") -> str:
    """``target`` if it is a path on this site, else the default page."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") \
                and not target.startswith("//") and "\\" not in target:
            return target.rstrip("?") or "/"
    return url_for(default_endpoint)
