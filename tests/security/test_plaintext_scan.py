"""Everything personal is encrypted at rest, and nothing personal reaches the logs.

Through the real API and pages, a tenant admin records a candidate with a
distinctive value in every personal field, a timeline (with an edit, so a
revision exists) and an e-mail plugin password. Then the raw database — the
SQLite file through the ``sqlite3`` module, or every PostgreSQL table through a
plain psycopg connection as the owner, past row-level security — is read
table by table, column by column, and none of those values may appear in it.
Every log record written meanwhile (captured at DEBUG) is checked the same way.

Names stay in clear by design (search and the candidate list need them); see
docs/security.md.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import DB_KIND
from tests.factories import TenantFixture, csrf_from, login

SECRETS = {
    "email": "zhu.wen.q7zk@scan-rekindle.example",
    "second email": "wen.private.q7zk@scan-mail.example",
    "phone": "+8613912347788",
    "phone digits": "13912347788",
    "second phone": "+8613655512345",
    "wechat id": "wx_scan_q7zk_88",
    "linkedin url": "linkedin.com/in/scan-q7zk-person",
    "birthday": "1986-07-23",
    "career goal": "Run a robotics lab Q7ZK-GOAL in Suzhou",
    "expected salary": "1987654",
    "current salary": "1876543",
    "summary": "Q7ZK-SUMMARY wants a shorter commute and a bigger team",
    "edited summary": "Q7ZK-EDITED wants remote days",
    "quote": "Q7ZK-QUOTE I would come back for the right lead role",
    "open question": "Q7ZK-QUESTION is the Suzhou site still hiring",
    "page summary": "Q7ZK-PAGE-SUMMARY prefers calls after six",
    "page quote": "Q7ZK-PAGE-QUOTE ask me again in spring",
    "plugin secret": "smtp-pass-Q7ZK-secret",
}
NAME = "Zhu Wen Q7ZK"  # in clear by design


def _create_everything(app: Flask, tenant: TenantFixture) -> str:
    api = app.test_client()
    admin = tenant.headers("tenant_admin")
    created = api.post("/api/v1/candidates", headers=admin, json={
        "name": NAME,
        "emails": [SECRETS["email"], SECRETS["second email"].upper()],
        "phones": ["+86 139 1234 7788", SECRETS["second phone"]],
        "wechat_id": SECRETS["wechat id"],
        "linkedin_url": "https://www." + SECRETS["linkedin url"],
        "birthday": SECRETS["birthday"],
        "career_goal": SECRETS["career goal"],
        "expected_salary": {"amount": int(SECRETS["expected salary"]), "currency": "CNY",
                            "period": "year"},
        "current_salary": {"amount": int(SECRETS["current salary"]), "currency": "CNY",
                           "period": "year"},
        "city": "Suzhou",
    })
    assert created.status_code == 201, created.get_json()
    candidate_id: str = created.get_json()["id"]
    duplicate = api.post("/api/v1/candidates", headers=tenant.headers("recruiter"),
                         json={"name": "Someone Else", "phones": ["13912347788"]})
    assert duplicate.status_code == 409  # found through the blind index
    base = f"/api/v1/candidates/{candidate_id}"
    noted = api.post(f"{base}/interactions", headers=tenant.headers("recruiter"), json={
        "summary": SECRETS["summary"], "quote": SECRETS["quote"],
        "open_questions": [SECRETS["open question"]], "channel": "wechat",
        "direction": "inbound",
    })
    assert noted.status_code == 201, noted.get_json()
    edited = api.patch(f"{base}/interactions/{noted.get_json()['id']}",
                       headers=tenant.headers("recruiter"),
                       json={"summary": SECRETS["edited summary"], "answered_questions": [0]})
    assert edited.status_code == 200, edited.get_json()
    plugin = api.put("/api/v1/plugins/channel_email", headers=admin, json={
        "enabled": True, "settings": {"host": "smtp.scan-rekindle.example", "port": 587,
                                      "sender": "talent@scan-rekindle.example",
                                      "username": "talent", "password": SECRETS["plugin secret"]},
    })
    assert plugin.status_code == 200, plugin.get_json()
    _add_through_the_page(app, tenant, candidate_id)
    # Read everything back (so the read paths log too) and check it round-trips.
    shown = api.get(base, headers=admin).get_json()
    assert shown["wechat_id"] == SECRETS["wechat id"]
    assert shown["expected_salary"]["amount"] == int(SECRETS["expected salary"])
    timeline = api.get(f"{base}/interactions", headers=admin).get_json()["items"]
    assert {item["summary"] for item in timeline} == {
        SECRETS["edited summary"], SECRETS["page summary"]}
    assert api.get(f"{base}/interactions/{noted.get_json()['id']}/revisions",
                   headers=admin).get_json()["items"][0]["summary"] == SECRETS["summary"]
    return candidate_id


def _add_through_the_page(app: Flask, tenant: TenantFixture, candidate_id: str) -> None:
    browser: FlaskClient = app.test_client()
    assert login(browser, tenant, "recruiter").status_code == 302
    page = browser.get(f"/candidates/{candidate_id}")
    assert page.status_code == 200 and SECRETS["wechat id"] in page.get_data(as_text=True)
    added = browser.post(f"/candidates/{candidate_id}/interactions", data={
        "csrf_token": csrf_from(page.get_data(as_text=True)),
        "occurred_on": "2025-01-15", "occurred_time": "10:30", "channel": "phone",
        "direction": "outbound", "summary": SECRETS["page summary"],
        "quote": SECRETS["page quote"], "open_questions": "",
    })
    assert added.status_code == 302, added.get_data(as_text=True)[:500]


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


def _leaks(text: str) -> list[str]:
    """Labels of the secrets in ``text``. An all-digit secret (an amount) counts only as a
    number of its own: digits turn up by chance inside hex digests, and six-digit runs are
    every timestamp's microseconds, so the amounts have seven digits."""
    lowered = text.lower()
    return [label for label, value in SECRETS.items()
            if (re.search(rf"(?<![0-9a-z]){value}(?![0-9a-z])", lowered) if value.isdigit()
                else value.lower() in lowered)]


@pytest.fixture()
def flow_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    with caplog.at_level(logging.DEBUG):
        yield caplog


def test_no_personal_value_is_stored_or_logged_in_plaintext(
    app: Flask, tenant_a: TenantFixture, database_urls: tuple[str, str],
    flow_logs: pytest.LogCaptureFixture,
) -> None:
    _create_everything(app, tenant_a)
    log_leaks = [(record.name, label) for record in flow_logs.records
                 for label in _leaks(record.getMessage() + (record.exc_text or ""))]
    assert log_leaks == []
    cells = (_sqlite_cells(database_urls[0]) if DB_KIND == "sqlite"
             else _postgresql_cells(database_urls[1]))
    found_name = False
    scanned = 0
    stored_leaks: list[tuple[str, str, str]] = []
    for table, column, text in cells:
        scanned += 1
        found_name = found_name or NAME in text
        stored_leaks.extend((table, column, label) for label in _leaks(text))
    assert stored_leaks == []
    assert found_name and scanned > 100  # the scan did read the tables
    if DB_KIND == "sqlite":
        assert _file_leaks(database_urls[0]) == []


def _file_leaks(url: str) -> list[tuple[str, str]]:
    """The bytes on disk, free pages and write-ahead log included, not only live rows."""
    path = Path(str(sa.engine.make_url(url).database))
    leaks: list[tuple[str, str]] = []
    for part in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-journal")):
        if part.exists():
            raw = part.read_bytes().lower()
            leaks.extend((part.name, label) for label, value in SECRETS.items()
                         if (re.search(rb"(?<![0-9a-z])" + value.encode() + rb"(?![0-9a-z])", raw)
                             if value.isdigit() else value.lower().encode() in raw))
    return leaks
