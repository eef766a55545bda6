"""Cursor pagination: ``?limit=`` (default 50, max 500) and ``?cursor=``.

Rows are ordered by id (UUIDv7, so creation order); the cursor is the last id
seen, base64-encoded. It is opaque to clients and stable under inserts.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from typing import Any

import marshmallow as ma
import sqlalchemy as sa
from flask_smorest import abort
from marshmallow import fields, validate

from saas.extensions import db

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


class PageArgsSchema(ma.Schema):
    limit = fields.Integer(
        load_default=DEFAULT_LIMIT, validate=validate.Range(min=1, max=MAX_LIMIT)
    )
    cursor = fields.String(load_default=None)


def encode_cursor(last_id: uuid.UUID) -> str:
    return base64.urlsafe_b64encode(last_id.bytes).decode().rstrip("=")


def decode_cursor(cursor: str) -> uuid.UUID:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        return uuid.UUID(bytes=raw)
    except (binascii.Error, ValueError):
        abort(400, message="The cursor is not valid; start again without it.",
              errors={"cursor": ["Not a cursor returned by this API."]})
        raise  # unreachable: abort raises


def paginate(
    stmt: sa.Select[Any], id_column: Any, limit: int, cursor: str | None
) -> dict[str, Any]:
    """Run ``stmt`` one page at a time; returns ``{"items", "next_cursor"}``."""
    if cursor:
        stmt = stmt.where(id_column > decode_cursor(cursor))
    rows = list(db.session.scalars(stmt.order_by(id_column).limit(limit + 1)))
    next_cursor = encode_cursor(rows[limit - 1].id) if len(rows) > limit else None
    return {"items": rows[:limit], "next_cursor": next_cursor}
