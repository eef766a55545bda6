"""``/api/v1/candidates/{id}/access-export`` and ``/api/v1/candidates/{id}/erase``.

Both are rate limited per user (shared with the pages, see
:mod:`saas.privacy.request_limits`) and audited. The candidate is looked up
before the body is read, so another tenant's id is a 404 whatever is sent.
"""

from __future__ import annotations

import functools
import unicodedata
import uuid
from collections.abc import Callable
from typing import Any, TypeVar, cast

import marshmallow as ma
from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from marshmallow import fields, validate

from saas.auth.current import actor, require_permission
from saas.candidates.api import with_candidate
from saas.candidates.services import get_candidate
from saas.extensions import db
from saas.privacy.access import archive_filename, export_candidate
from saas.privacy.erasure import erase_candidate, was_erased
from saas.privacy.request_limits import erasure_limit, export_limit

F = TypeVar("F", bound=Callable[..., Any])

privacy_requests_blp = Blueprint(
    "privacy_requests_api", __name__, url_prefix="/api/v1/candidates",
    description="Access requests (export everything about a candidate) and erasure")


class EraseRequestSchema(ma.Schema):
    confirm = fields.String(required=True, validate=validate.Length(min=1, max=200), metadata={
        "description": "The candidate's name, exactly as Rekindle shows it"})


class EraseResultSchema(ma.Schema):
    erased = fields.Boolean()
    already_erased = fields.Boolean()


def same_name(typed: str, name: str) -> bool:
    """Whether the confirmation names the candidate (spacing, width and case aside)."""
    def normal(text: str) -> str:
        return " ".join(unicodedata.normalize("NFKC", text).casefold().split())

    return bool(typed.strip()) and normal(typed) == normal(name)


def _with_candidate_or_erased(view: F) -> F:
    """``candidate`` from the URL; ``None`` when this tenant already erased that id."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        candidate_id: uuid.UUID = kwargs.pop("candidate_id")
        candidate = get_candidate(candidate_id)
        if candidate is None and not was_erased(candidate_id):
            abort(404)
        return view(*args, candidate=candidate, **kwargs)

    return cast(F, wrapped)


@privacy_requests_blp.route("/<uuid:candidate_id>/access-export")
class AccessExport(MethodView):
    @require_permission("candidate:export")
    @with_candidate
    @export_limit
    @privacy_requests_blp.response(200, content_type="application/zip", description=(
        "A ZIP with candidate.json and candidate.html: everything held about the person"))
    @privacy_requests_blp.alt_response(429, description="Too many exports; retry later")
    def get(self, candidate: Any) -> Response:
        """Everything held about the candidate (access request), as a ZIP archive."""
        kind, actor_id = actor()
        archive = export_candidate(candidate, via="api", actor_kind=kind, actor_id=actor_id)
        db.session.commit()
        return Response(archive, mimetype="application/zip", headers={
            "Content-Disposition": f'attachment; filename="{archive_filename(candidate)}"',
            "Cache-Control": "no-store"})


@privacy_requests_blp.route("/<uuid:candidate_id>/erase")
class Erase(MethodView):
    @require_permission("candidate:erase")
    @_with_candidate_or_erased
    @erasure_limit
    @privacy_requests_blp.arguments(EraseRequestSchema)
    @privacy_requests_blp.response(200, EraseResultSchema)
    @privacy_requests_blp.alt_response(409, description="The candidate is under legal hold")
    @privacy_requests_blp.alt_response(429, description="Too many erasures; retry later")
    def post(self, data: dict[str, Any], candidate: Any) -> dict[str, Any]:
        """Erase the candidate for good (``confirm``: their name); idempotent.

        Every row about the person is deleted and their data key destroyed, so
        older backups no longer yield their data; an identity-free count is kept.
        A legal hold blocks it (409). Erasing an id already erased is a 200 with
        ``already_erased``.
        """
        if candidate is None:
            return {"erased": True, "already_erased": True}
        if not same_name(data["confirm"], candidate.name):
            abort(422, message="The confirmation does not match the candidate's name.",
                  errors={"json": {"confirm": ["Type the candidate's name exactly to confirm."]}})
        kind, actor_id = actor()
        erase_candidate(candidate, cause="request", actor_kind=kind, actor_id=actor_id)
        db.session.commit()
        return {"erased": True, "already_erased": False}
