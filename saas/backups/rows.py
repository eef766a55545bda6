"""Which tables make up a tenant, and their rows to and from JSON values.

Bytes are base64, times and dates ISO 8601, UUIDs and decimals strings; JSON
columns stay JSON. Reading back is guided by the column types of this version
of the schema, and a table or column it does not know is refused.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import uuid
from typing import Any

import sqlalchemy as sa

from saas.extensions import db

TENANT_TABLE = "tenants"
KEY_TABLE = "data_keys"


class SchemaMismatch(ValueError):
    """The archive has a table or column this version does not know."""


def tenant_tables() -> list[sa.Table]:
    """Every table with a ``tenant_id``, data keys first, then in foreign-key order."""
    tables = [t for t in db.metadata.sorted_tables if "tenant_id" in t.columns]
    return sorted(tables, key=lambda t: t.name != KEY_TABLE)


def table_named(name: str) -> sa.Table:
    table = db.metadata.tables.get(name)
    if table is None or (name != TENANT_TABLE and "tenant_id" not in table.columns):
        raise SchemaMismatch(f"the backup has a table {name!r} that this version does not know")
    return table


def _kind(column: sa.Column[Any]) -> sa.types.TypeEngine[Any]:
    kind = column.type
    while isinstance(kind, sa.types.TypeDecorator):
        kind = kind.impl_instance
    return kind


def dump_value(value: Any) -> Any:
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID | decimal.Decimal):
        return str(value)
    return value


def dump_row(row: sa.RowMapping) -> dict[str, Any]:
    return {name: dump_value(value) for name, value in row.items()}


def load_value(column: sa.Column[Any], value: Any) -> Any:
    if value is None:
        return None
    kind = _kind(column)
    if isinstance(kind, sa.JSON):
        return value
    if isinstance(kind, sa.LargeBinary):
        return base64.b64decode(value)
    if isinstance(kind, sa.DateTime):
        return dt.datetime.fromisoformat(value)
    if isinstance(kind, sa.Date):
        return dt.date.fromisoformat(value)
    if isinstance(kind, sa.Time):
        return dt.time.fromisoformat(value)
    if isinstance(kind, sa.Uuid):
        return uuid.UUID(value)
    if isinstance(kind, sa.Numeric) and not isinstance(kind, sa.Float):
        return decimal.Decimal(value)
    return value


def load_row(table: sa.Table, raw: dict[str, Any]) -> dict[str, Any]:
    unknown = set(raw) - set(table.columns.keys())
    if unknown:
        raise SchemaMismatch(
            f"the backup's table {table.name!r} has columns this version does not know: "
            f"{', '.join(sorted(unknown))}")
    return {name: load_value(table.columns[name], value) for name, value in raw.items()}
