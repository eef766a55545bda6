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

import logging
import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import DB_KIND
from tests.factories import TenantFixture, csrf_from, login
from tests.security.raw_cells import file_contains, raw_cells

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
    "user email": "recruiter.q7zk@scan-team.example",
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
    _add_a_team_member(app, tenant)
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


def _add_a_team_member(app: Flask, tenant: TenantFixture) -> None:
    """A user whose sign-in email is personal data too: found by its blind index only."""
    api = app.test_client()
    admin = tenant.headers("tenant_admin")
    body = {"email": SECRETS["user email"], "name": "Scan Recruiter", "role": "recruiter",
            "password": "a-long-scan-password-Q7ZK"}
    assert api.post("/api/v1/users", headers=admin, json=body).status_code == 201
    again = dict(body, email=SECRETS["user email"].upper())
    assert api.post("/api/v1/users", headers=admin, json=again).status_code == 409
    listed = api.get("/api/v1/users", headers=admin).get_json()["items"]
    assert SECRETS["user email"] in {user["email"] for user in listed}
    browser = app.test_client()
    token = csrf_from(browser.get("/login").get_data(as_text=True))
    signed_in = browser.post("/login", data={
        "csrf_token": token, "workspace": tenant.slug,
        "email": SECRETS["user email"].upper(), "password": body["password"]})
    assert signed_in.status_code == 302


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
    cells = raw_cells(database_urls)
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
        assert file_contains(database_urls[0], SECRETS) == []
