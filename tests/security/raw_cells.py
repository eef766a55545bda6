"""Reading the raw database past the app: every cell of every table, and the file's bytes.

The SQLite file is read through the ``sqlite3`` module; PostgreSQL through a plain
psycopg connection as the owner, past row-level security. Used by the at-rest scans.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import psycopg
import sqlalchemy as sa

from tests.conftest import DB_KIND


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("utf-8", errors="replace")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _sqlite_cells(url: str) -> Iterator[tuple[str, str, str]]:
    path = sa.engine.make_url(url).database
    assert path
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        tables = [row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            cursor = conn.execute(f'SELECT * FROM "{table}"')
            columns = [d[0] for d in cursor.description]
            for row in cursor:
                for column, value in zip(columns, row, strict=True):
                    yield table, column, _as_text(value)


def _postgresql_cells(owner_url: str) -> Iterator[tuple[str, str, str]]:
    conninfo = sa.engine.make_url(owner_url).set(drivername="postgresql").render_as_string(
        hide_password=False)
    with psycopg.connect(conninfo) as conn:
        tables = [row[0] for row in conn.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'")]
        for table in tables:
            cursor = conn.execute(f'SELECT * FROM "{table}"')
            columns = [d.name for d in cursor.description or ()]
            for row in cursor:
                for column, value in zip(columns, row, strict=True):
                    yield table, column, _as_text(value)


def raw_cells(database_urls: tuple[str, str]) -> Iterator[tuple[str, str, str]]:
    """``(table, column, text)`` for every cell of the test database."""
    if DB_KIND == "sqlite":
        return _sqlite_cells(database_urls[0])
    return _postgresql_cells(database_urls[1])


def file_contains(url: str, secrets: Mapping[str, str]) -> list[tuple[str, str]]:
    """``(file, label)`` for each secret in the SQLite file's bytes, free pages and
    write-ahead log included, not only live rows. An all-digit secret counts only as a
    number of its own."""
    path = Path(str(sa.engine.make_url(url).database))
    leaks: list[tuple[str, str]] = []
    for part in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-journal")):
        if part.exists():
            raw = part.read_bytes().lower()
            leaks.extend((part.name, label) for label, value in secrets.items()
                         if (re.search(rb"(?<![0-9a-z])" + value.encode() + rb"(?![0-9a-z])", raw)
                             if value.isdigit() else value.lower().encode() in raw))
    return leaks
