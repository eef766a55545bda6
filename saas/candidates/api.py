"""``/api/v1/candidates`` and their timeline ``/api/v1/candidates/{id}/interactions``.

The candidate (and the interaction) named in the URL is looked up before the
body is read, so another tenant's id is a 404 whatever the body says.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import Response
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint, abort

from saas import audit
from saas.api.pagination import PageArgsSchema
from saas.api.problems import problem
from saas.auth.current import actor, require_permission
from saas.candidates import schemas
from saas.candidates.documents import (
    candidate_document,
    candidate_documents,
    interaction_documents,
    revision_documents,
)
from saas.candidates.interactions import (
    InteractionInvalid,
    add_interaction,
    edit_interaction,
    get_interaction,
    revisions_of,
)
from saas.candidates.listing import candidate_page, timeline_page
from saas.candidates.services import (
    CandidateInvalid,
    DuplicateCandidate,
    create_candidate,
    delete_candidate,
    get_candidate,
    update_candidate,
)
from saas.extensions import db
from saas.segments import SegmentQueryError
from saas.segments.compiler import segment_problem
from saas.segments.service import local_today

F = TypeVar("F", bound=Callable[..., Any])

candidates_blp = Blueprint("candidates_api", __name__, url_prefix="/api/v1/candidates",
                           description="Candidates and their timeline")


@candidates_blp.errorhandler(DuplicateCandidate)
def _duplicate(exc: DuplicateCandidate) -> Response:
    db.session.rollback()
    return problem(
        409, title="Conflict",
        detail=f"{exc.existing.name} ({exc.existing.id}) already has this {exc.kind}.",
        existing={"id": str(exc.existing.id), "name": exc.existing.name}, field=exc.kind,
    )


@candidates_blp.errorhandler(CandidateInvalid)
@candidates_blp.errorhandler(InteractionInvalid)
def _invalid(exc: CandidateInvalid | InteractionInvalid) -> Response:
    db.session.rollback()
    return problem(422, title="Unprocessable Entity",
                   detail="The request body has invalid fields.", errors=exc.errors)


@candidates_blp.errorhandler(schemas.RestrictedFieldWrite)
def _restricted(exc: schemas.RestrictedFieldWrite) -> Response:
    db.session.rollback()
    kind, actor_id = actor()
    audit.record("permission.denied", outcome="denied", actor_kind=kind, actor_id=actor_id,
                 target_kind="field", target_id=exc.field,
                 detail={"permission": exc.permission, "field": exc.field}, commit=True)
    return problem(403, title="Forbidden",
                   detail=f"Your role may not change {exc.field} ({exc.permission}).",
                   errors={exc.field: [f"Needs the {exc.permission} permission."]})


def with_candidate(view: F) -> F:
    """Turn the URL's ``candidate_id`` into ``candidate`` (404 when not the tenant's)."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        candidate = get_candidate(kwargs.pop("candidate_id"))
        if candidate is None:
            abort(404)
        interaction_id = kwargs.pop("interaction_id", None)
        if interaction_id is not None:
            interaction = get_interaction(candidate, interaction_id)  # type: ignore[arg-type]
            if interaction is None:
                abort(404)
            kwargs["interaction"] = interaction
        return view(*args, candidate=candidate, **kwargs)

    return cast(F, wrapped)


@candidates_blp.route("")
class Candidates(MethodView):
    @require_permission("candidate:read")
    @candidates_blp.arguments(schemas.CandidateListArgsSchema, location="query")
    @candidates_blp.response(200, schemas.CandidatePageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Candidates, newest first; ``q`` filters with the segment query language."""
        try:
            rows, next_cursor = candidate_page(
                args["q"], today=local_today(), user_id=current_user.id,
                limit=args["limit"], cursor=args["cursor"])
        except SegmentQueryError as exc:
            segment_problem(exc)
        return {"items": candidate_documents(rows), "next_cursor": next_cursor}

    @require_permission("candidate:write")
    @candidates_blp.arguments(schemas.CandidateSchema)
    @candidates_blp.response(201, schemas.CandidateSchema)
    @candidates_blp.alt_response(409, description="Another candidate has this email or phone")
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Create a candidate (the owner defaults to you)."""
        kind, actor_id = actor()
        candidate = create_candidate(data, actor_kind=kind, actor_id=actor_id)
        db.session.commit()
        return candidate_document(candidate)


@candidates_blp.route("/<uuid:candidate_id>")
class CandidateById(MethodView):
    @require_permission("candidate:read")
    @with_candidate
    @candidates_blp.response(200, schemas.CandidateSchema)
    def get(self, candidate: Any) -> dict[str, Any]:
        """One candidate."""
        return candidate_document(candidate)

    @require_permission("candidate:write")
    @with_candidate
    @candidates_blp.arguments(schemas.CandidatePatchSchema)
    @candidates_blp.response(200, schemas.CandidateSchema)
    @candidates_blp.alt_response(409, description="Another candidate has this email or phone")
    def patch(self, data: dict[str, Any], candidate: Any) -> dict[str, Any]:
        """Change some fields; lists (emails, phones, skills, values) are replaced whole."""
        kind, actor_id = actor()
        update_candidate(candidate, data, actor_kind=kind, actor_id=actor_id)
        db.session.commit()
        return candidate_document(candidate)

    @require_permission("candidate:erase")
    @with_candidate
    @candidates_blp.response(204)
    def delete(self, candidate: Any) -> None:
        """Delete the candidate, everything recorded about them, and their data key."""
        kind, actor_id = actor()
        delete_candidate(candidate, actor_kind=kind, actor_id=actor_id)
        db.session.commit()


@candidates_blp.route("/<uuid:candidate_id>/interactions")
class Interactions(MethodView):
    @require_permission("interaction:read")
    @with_candidate
    @candidates_blp.arguments(PageArgsSchema, location="query")
    @candidates_blp.response(200, schemas.InteractionPageSchema)
    def get(self, args: dict[str, Any], candidate: Any) -> dict[str, Any]:
        """The timeline, newest first."""
        rows, next_cursor = timeline_page(candidate, limit=args["limit"], cursor=args["cursor"])
        return {"items": interaction_documents(rows), "next_cursor": next_cursor}

    @require_permission("interaction:write")
    @with_candidate
    @candidates_blp.arguments(schemas.InteractionWriteSchema)
    @candidates_blp.response(201, schemas.InteractionSchema)
    def post(self, data: dict[str, Any], candidate: Any) -> dict[str, Any]:
        """Record an interaction; the note insights update the candidate."""
        kind, actor_id = actor()
        interaction = add_interaction(candidate, data, actor_kind=kind, author_id=actor_id)
        db.session.commit()
        return interaction_documents([interaction])[0]


@candidates_blp.route("/<uuid:candidate_id>/interactions/<uuid:interaction_id>")
class InteractionById(MethodView):
    @require_permission("interaction:read")
    @with_candidate
    @candidates_blp.response(200, schemas.InteractionSchema)
    def get(self, candidate: Any, interaction: Any) -> dict[str, Any]:
        """One interaction."""
        return interaction_documents([interaction])[0]

    @require_permission("interaction:write")
    @with_candidate
    @candidates_blp.arguments(schemas.InteractionPatchSchema)
    @candidates_blp.response(200, schemas.InteractionSchema)
    def patch(self, data: dict[str, Any], candidate: Any, interaction: Any) -> dict[str, Any]:
        """Edit; the version before is kept (see ``/revisions``) and ``version`` goes up."""
        kind, actor_id = actor()
        edit_interaction(candidate, interaction, data, actor_kind=kind, editor_id=actor_id)
        db.session.commit()
        return interaction_documents([interaction])[0]


@candidates_blp.route("/<uuid:candidate_id>/interactions/<uuid:interaction_id>/revisions")
class InteractionRevisions(MethodView):
    @require_permission("interaction:read")
    @with_candidate
    @candidates_blp.response(200, schemas.InteractionRevisionListSchema)
    def get(self, candidate: Any, interaction: Any) -> dict[str, Any]:
        """Earlier versions of the interaction, the most recent first."""
        return {"items": revision_documents(revisions_of(interaction))}
