"""Identifiers: time-ordered UUIDs (version 7), generated in Python.

Rows get their id before they are flushed, so encrypted fields can bind the
row id into their associated data, and ids sort by creation time, which keeps
cursor pagination and B-tree inserts cheap.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa


def new_id() -> uuid.UUID:
    """Return a new UUIDv7 (RFC 9562): 48-bit Unix milliseconds, then random bits."""
    millis = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (millis & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= ((rand >> 64) & 0xFFF) << 64
    value |= 0b10 << 62
    value |= rand & ((1 << 62) - 1)
    return uuid.UUID(int=value)


def parse_id(value: object) -> uuid.UUID | None:
    """Parse an id from a URL or payload; ``None`` when it is not a UUID."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def in_ids(column: Any, ids: Iterable[uuid.UUID]) -> sa.ColumnElement[bool]:
    """``column IN (ids)`` for a batch, with the ids written into the SQL text.

    They are UUIDs (never user text), so nothing needs escaping; a batch of 1,000 then
    costs the driver no parameter binding, and the statement is still compiled once.
    """
    values: sa.BindParameter[list[uuid.UUID]] = sa.bindparam(
        "ids", list(ids), unique=True, expanding=True, literal_execute=True)
    condition: sa.ColumnElement[bool] = column.in_(values)
    return condition
