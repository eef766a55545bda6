"""``/api/v1/templates``: message templates, checked at save, and their previews."""

from __future__ import annotations

import uuid
from typing import Any, NoReturn

import sqlalchemy as sa
from flask import request
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint, abort

from saas.api.pagination import paginate
from saas.auth.current import actor, require_permission
from saas.candidates.models import Candidate
from saas.extensions import db
from saas.outreach import template_schemas as schemas
from saas.outreach.models import Template
from saas.outreach.templates_service import (
    TemplateInvalid,
    TemplateNameTaken,
    create_template,
    delete_template,
    get_template,
    preview_for,
    update_template,
)
from saas.timeutil import utcnow

templates_blp = Blueprint(
    "templates_api", __name__, url_prefix="/api/v1/templates",
    description="Message templates: sandboxed Jinja per channel and language",
)


@templates_blp.before_request
def _unknown_template_is_404() -> None:
    """Another tenant's (or a missing) template is a 404 before its body is even read."""
    template_id = (request.view_args or {}).get("template_id")
    if template_id is not None and current_user.is_authenticated and \
            get_template(template_id) is None:
        abort(404)


def _load(template_id: uuid.UUID) -> Template:
    template = get_template(template_id)
    if template is None:
        abort(404)
    return template  # type: ignore[return-value]


def _invalid(exc: TemplateInvalid) -> NoReturn:
    db.session.rollback()
    abort(422, message=f"The template cannot be saved: {exc}", errors=exc.errors(),
          extra={"problems": exc.details()})
    raise exc  # unreachable: abort raises


def _taken(exc: TemplateNameTaken) -> NoReturn:
    db.session.rollback()
    abort(409, message=f"{exc}; choose another name.")
    raise exc  # unreachable: abort raises


@templates_blp.route("")
class Templates(MethodView):
    @require_permission("template:read")
    @templates_blp.arguments(schemas.TemplateListArgsSchema, location="query")
    @templates_blp.response(200, schemas.TemplatePageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """The tenant's templates, oldest first; filter by channel, locale or purpose."""
        stmt = sa.select(Template)
        for name in ("channel", "locale", "purpose"):
            if name in args:
                stmt = stmt.where(getattr(Template, name) == args[name])
        return paginate(stmt, Template.id, args["limit"], args["cursor"])

    @require_permission("template:write")
    @templates_blp.arguments(schemas.TemplateSchema)
    @templates_blp.response(201, schemas.TemplateSchema)
    def post(self, data: dict[str, Any]) -> Template:
        """Save a template: 422 when it does not compile, leaves the sandbox or names an
        unknown variable (each problem with its line); 409 when (name, channel, locale)
        is taken."""
        kind, actor_id = actor()
        try:
            template = create_template(data, actor_kind=kind, actor_id=actor_id)
        except TemplateInvalid as exc:
            _invalid(exc)
        except TemplateNameTaken as exc:
            _taken(exc)
        db.session.commit()
        return _load(template.id)


@templates_blp.route("/<uuid:template_id>")
class TemplateById(MethodView):
    @require_permission("template:read")
    @templates_blp.response(200, schemas.TemplateSchema)
    def get(self, template_id: uuid.UUID) -> Template:
        """One template."""
        return _load(template_id)

    @require_permission("template:write")
    @templates_blp.arguments(schemas.TemplateUpdateSchema)
    @templates_blp.response(200, schemas.TemplateSchema)
    def patch(self, data: dict[str, Any], template_id: uuid.UUID) -> Template:
        """Change any field; checked like a new template."""
        kind, actor_id = actor()
        try:
            update_template(_load(template_id), data, actor_kind=kind, actor_id=actor_id)
        except TemplateInvalid as exc:
            _invalid(exc)
        except TemplateNameTaken as exc:
            _taken(exc)
        db.session.commit()
        return _load(template_id)

    @require_permission("template:write")
    @templates_blp.response(204)
    def delete(self, template_id: uuid.UUID) -> None:
        """Delete the template (messages already written keep their text)."""
        kind, actor_id = actor()
        delete_template(_load(template_id), actor_kind=kind, actor_id=actor_id)
        db.session.commit()


@templates_blp.route("/<uuid:template_id>/preview")
class TemplatePreview(MethodView):
    @require_permission("template:read")
    @templates_blp.arguments(schemas.TemplatePreviewRequestSchema)
    @templates_blp.response(200, schemas.TemplatePreviewSchema)
    def post(self, data: dict[str, Any], template_id: uuid.UUID) -> dict[str, Any]:
        """The message as this candidate would get it now; `problems` lists what would
        stop it from being sent (over the channel's limits, a failed rendering)."""
        template = _load(template_id)
        if not current_user.can("candidate:read"):
            abort(403, message="Previewing needs the candidate:read permission.")
        candidate = db.session.scalars(
            sa.select(Candidate).where(Candidate.id == data["candidate_id"])).first()
        if candidate is None:
            abort(404, message="No such candidate.")
        rendered = preview_for(template, candidate, sender=current_user, now=utcnow())
        return {"channel": rendered.channel, "subject": rendered.subject,
                "body": rendered.body, "segments": rendered.segments,
                "problems": [{"code": p.code, "message": p.message, "line": p.line}
                             for p in rendered.problems]}
