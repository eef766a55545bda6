"""``/api/v1/audit-events``: the tenant's trail (``audit:read``) and its verification."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint, abort

from saas.audit.schemas import (
    AuditEventListArgsSchema,
    AuditEventPageSchema,
    VerifyResultSchema,
)
from saas.audit.search import (
    AuditFilter,
    CursorInvalid,
    actor_names,
    event_document,
    event_page,
)
from saas.audit.verify import ChainProblem, VerifyResult, verify_and_record
from saas.auth.current import actor, require_permission
from saas.extensions import db
from saas.tenancy.context import require_tenant_id

audit_blp = Blueprint("audit_events", __name__, url_prefix="/api/v1/audit-events",
                      description="The tenant's audit trail")


def _problem_out(problem: ChainProblem) -> dict[str, Any]:
    return {"kind": problem.kind, "seq": problem.seq, "message": problem.message()}


def verify_result_out(result: VerifyResult) -> dict[str, Any]:
    return {"ok": result.ok, "events": result.events, "before_chain": result.before_chain,
            "problems": [_problem_out(p) for p in result.problems],
            "problem_count": result.problem_count}


@audit_blp.route("")
class AuditEvents(MethodView):
    @require_permission("audit:read")
    @audit_blp.arguments(AuditEventListArgsSchema, location="query")
    @audit_blp.response(200, AuditEventPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """The tenant's audit events, newest first (filters combine with AND)."""
        limit, cursor = args.pop("limit"), args.pop("cursor")
        try:
            events, next_cursor = event_page(AuditFilter(**args), limit, cursor)
        except CursorInvalid:
            abort(400, message="The cursor is not valid; start again without it.",
                  errors={"cursor": ["Not a cursor returned by this API."]})
        names = actor_names(events)
        return {"items": [event_document(e, names) for e in events],
                "next_cursor": next_cursor}


@audit_blp.route("/verify")
class AuditVerify(MethodView):
    @require_permission("audit:read")
    @audit_blp.response(200, VerifyResultSchema)
    def post(self) -> dict[str, Any]:
        """Walk the tenant's trail and report every modified, removed or moved event."""
        kind, actor_id = actor()
        result = verify_and_record(require_tenant_id(), actor_kind=kind, actor_id=actor_id)
        db.session.commit()
        return verify_result_out(result)
