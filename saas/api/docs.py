"""Interactive API docs at /api/docs: Swagger UI installed from the npm registry.

``make install`` runs ``npm install`` in saas/api/assets; nothing of Swagger UI
is committed. Without it the page says how to install it.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, render_template, send_from_directory
from flask.typing import ResponseReturnValue

SWAGGER_DIR = Path(__file__).resolve().parent / "assets" / "node_modules" / "swagger-ui-dist"
DOCS_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'"
)

bp = Blueprint("api_docs", __name__, template_folder="templates", static_folder="static",
               static_url_path="/api/docs/static")


@bp.route("/api/docs")
def docs_page() -> ResponseReturnValue:
    installed = (SWAGGER_DIR / "swagger-ui-bundle.js").exists()
    response = Response(render_template("api/docs.html", installed=installed))
    response.headers["Content-Security-Policy"] = DOCS_CSP
    return response


@bp.route("/api/docs/assets/<path:filename>")
def docs_asset(filename: str) -> ResponseReturnValue:
    return send_from_directory(SWAGGER_DIR, filename, max_age=86400)
