"""``/api/v1/me``, ``/api/v1/users`` and ``/api/v1/tokens``."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from flask import g
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint, abort

from saas.api.pagination import PageArgsSchema, paginate
from saas.auth import schemas
from saas.auth.current import require_permission
from saas.auth.models import ApiToken, User
from saas.auth.tokens import create_token, revoke_token
from saas.auth.users import UserExists, create_user, get_user, update_user
from saas.extensions import db
from saas.tenancy.models import Tenant

me_blp = Blueprint("me", __name__, url_prefix="/api/v1/me", description="The caller")
users_blp = Blueprint("users", __name__, url_prefix="/api/v1/users", description="Tenant users")
tokens_blp = Blueprint("tokens", __name__, url_prefix="/api/v1/tokens", description="API tokens")


def _user_out(user: User) -> dict[str, Any]:
    return {
        "id": user.id, "email": user.email, "name": user.name, "role": user.role,
        "locale": user.locale, "timezone": user.timezone,
        "disabled": user.disabled_at is not None, "created_at": user.created_at,
        "last_login_at": user.last_login_at,
    }


def _signed_in() -> User:
    if not current_user.is_authenticated:
        abort(401)
    return current_user  # type: ignore[no-any-return]


@me_blp.route("")
class Me(MethodView):
    @me_blp.response(200, schemas.MeSchema)
    def get(self) -> dict[str, Any]:
        """The signed-in user, their tenant, role and permissions."""
        user = _signed_in()
        tenant = db.session.get(Tenant, user.tenant_id)
        return {
            "user": _user_out(user),
            "tenant": tenant,
            "role": user.role,
            "permissions": sorted(user.permissions),
        }


def _load_user(user_id: uuid.UUID) -> User:
    user = get_user(user_id)
    if user is None:
        abort(404)
    return user  # type: ignore[return-value]


@users_blp.route("")
class Users(MethodView):
    @require_permission("user:read")
    @users_blp.arguments(schemas.UserListArgsSchema, location="query")
    @users_blp.response(200, schemas.UserPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List the tenant's users."""
        stmt = sa.select(User)
        if args.get("role"):
            stmt = stmt.where(User.role == args["role"])
        page = paginate(stmt, User.id, args["limit"], args["cursor"])
        page["items"] = [_user_out(u) for u in page["items"]]
        return page

    @require_permission("user:write")
    @users_blp.arguments(schemas.UserCreateSchema)
    @users_blp.response(201, schemas.UserSchema)
    @users_blp.alt_response(409, description="A user with this email exists")
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Create a user in the tenant."""
        try:
            user = create_user(
                email=data["email"], name=data["name"], role=data["role"],
                password=data["password"], locale=data.get("locale"),
                timezone=data.get("timezone"), actor_kind="user", actor_id=current_user.id,
            )
        except UserExists as exc:
            abort(409, message=f"A user with this email already exists ({exc.existing.id}).")
        db.session.commit()
        return _user_out(user)


@users_blp.route("/<uuid:user_id>")
class UserById(MethodView):
    @require_permission("user:read")
    @users_blp.response(200, schemas.UserSchema)
    def get(self, user_id: uuid.UUID) -> dict[str, Any]:
        """One user."""
        return _user_out(_load_user(user_id))

    @require_permission("user:write")
    @users_blp.arguments(schemas.UserUpdateSchema)
    @users_blp.response(200, schemas.UserSchema)
    def patch(self, data: dict[str, Any], user_id: uuid.UUID) -> dict[str, Any]:
        """Change name, role, language, time zone, password, or disable/enable."""
        user = _load_user(user_id)
        changes_own_access = data.get("disabled") or data.get("role", user.role) != user.role
        if user.id == current_user.id and changes_own_access:
            abort(409, message="You cannot disable yourself or change your own role.")
        update_user(user, data, actor_kind="user", actor_id=current_user.id)
        db.session.commit()
        return _user_out(user)


@users_blp.route("/<uuid:user_id>/disable")
class UserDisable(MethodView):
    @require_permission("user:write")
    @users_blp.response(200, schemas.UserSchema)
    def post(self, user_id: uuid.UUID) -> dict[str, Any]:
        """Disable a user: their sessions and tokens stop working at once."""
        user = _load_user(user_id)
        if user.id == current_user.id:
            abort(409, message="You cannot disable yourself.")
        update_user(user, {"disabled": True}, actor_kind="user", actor_id=current_user.id)
        db.session.commit()
        return _user_out(user)


def _visible_tokens() -> sa.Select[Any]:
    stmt = sa.select(ApiToken)
    if not current_user.can("token:manage_all"):
        stmt = stmt.where(ApiToken.user_id == current_user.id)
    return stmt


@tokens_blp.route("")
class Tokens(MethodView):
    @require_permission("token:manage_own")
    @tokens_blp.arguments(PageArgsSchema, location="query")
    @tokens_blp.response(200, schemas.TokenPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Your tokens (all of the tenant's for an admin)."""
        return paginate(_visible_tokens(), ApiToken.id, args["limit"], args["cursor"])

    @require_permission("token:manage_own")
    @tokens_blp.arguments(schemas.TokenSchema)
    @tokens_blp.response(201, schemas.TokenCreatedSchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Create a token for yourself; the token text is in the answer, once."""
        token, text = create_token(current_user, data["name"])
        db.session.commit()
        fields = ("id", "name", "user_id", "hint", "created_at", "last_used_at", "revoked_at")
        return {**{f: getattr(token, f) for f in fields}, "token": text}


@tokens_blp.route("/<uuid:token_id>")
class TokenById(MethodView):
    @require_permission("token:manage_own")
    @tokens_blp.response(204)
    def delete(self, token_id: uuid.UUID) -> None:
        """Revoke a token."""
        token = db.session.scalars(_visible_tokens().where(ApiToken.id == token_id)).first()
        if token is None:
            abort(404)
        revoke_token(token, actor_id=current_user.id)  # type: ignore[arg-type]
        db.session.commit()
        if getattr(g, "api_token", None) is token:
            g.api_token = None
