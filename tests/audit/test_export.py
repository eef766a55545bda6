"""Exports of the trail: CSV safe in a spreadsheet (BOM, no formulas), JSON, audited, limited."""

from __future__ import annotations

import csv
import io
import json

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from saas import audit
from saas.audit.models import AuditEvent
from saas.exports import safe_cell, write_csv
from saas.extensions import db
from saas.tenancy.context import tenant_context
from tests.audit.test_page import _client
from tests.factories import TenantFixture, csrf_from


@pytest.mark.parametrize("value,expected", [
    ("=1+1", "'=1+1"),
    ("+86 138", "'+86 138"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=cmd", "'\t=cmd"),
    ("\r=cmd", "'\r=cmd"),
    ('=HYPERLINK("http://evil.example","x")', '\'=HYPERLINK("http://evil.example","x")'),
    ("plain", "plain"),
    ("张伟", "张伟"),
    ("a=b", "a=b"),
    (-5, "-5"),
    (3.5, "3.5"),
    (True, "true"),
    (None, ""),
    ({"b": "=x", "a": 1}, '{"a": 1, "b": "=x"}'),
    (["-x"], '["-x"]'),
])
def test_safe_cell(value: object, expected: str) -> None:
    assert safe_cell(value) == expected


def test_write_csv_has_a_bom_and_quotes_risky_cells() -> None:
    data = write_csv([["=cmd|' /C calc'!A0", "名字", "line\nbreak"]], ["a", "-b", "c"])
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [["a", "'-b", "c"], ["'=cmd|' /C calc'!A0", "名字", "line\nbreak"]]


def _export(client: FlaskClient, fmt: str, **filters: str) -> object:
    token = csrf_from(client.get("/settings/audit").get_data(as_text=True))
    return client.post("/settings/audit/export", data={"csrf_token": token, "format": fmt,
                                                       **filters})


def _record_risky(app: Flask, tenant: TenantFixture) -> None:
    with app.app_context(), tenant_context(tenant.id):
        audit.record("tag.created", target_kind="tag", target_id="=HYPERLINK(1)",
                     detail={"code": "+cmd"})
        db.session.commit()


def test_csv_export_is_safe_and_complete(app: Flask, tenant_a: TenantFixture) -> None:
    _record_risky(app, tenant_a)
    client = _client(app, tenant_a)
    response = _export(client, "csv", action="tag.created")
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert response.mimetype == "text/csv"  # type: ignore[attr-defined]
    assert "attachment" in response.headers["Content-Disposition"]  # type: ignore[attr-defined]
    body = response.data  # type: ignore[attr-defined]
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert len(rows) == 1
    row = rows[0]
    assert row["target_id"] == "'=HYPERLINK(1)"
    assert json.loads(row["detail"]) == {"code": "+cmd"}
    assert row["action_label"] == "Created a tag"
    assert len(row["hash"]) == 64 and row["seq"].isdigit()


def test_json_export_carries_the_chain(app: Flask, tenant_a: TenantFixture) -> None:
    _record_risky(app, tenant_a)
    client = _client(app, tenant_a)
    response = _export(client, "json")
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert response.mimetype == "application/json"  # type: ignore[attr-defined]
    events = response.get_json()["events"]  # type: ignore[attr-defined]
    seqs = [e["seq"] for e in events]
    assert seqs == sorted(seqs, reverse=True)  # newest first, like the page
    risky = next(e for e in events if e["action"] == "tag.created")
    assert risky["target_id"] == "=HYPERLINK(1)"  # JSON keeps values as they are
    assert {"prev_hash", "hash", "occurred_at", "actor_kind"} <= set(risky)


def test_each_export_is_audited_without_filter_values(
    app: Flask, tenant_a: TenantFixture
) -> None:
    client = _client(app, tenant_a)
    assert _export(client, "csv", target="secret-target").status_code == 200  # type: ignore[attr-defined]
    with app.app_context(), tenant_context(tenant_a.id):
        event = db.session.scalars(sa.select(AuditEvent).where(
            AuditEvent.action == "audit.exported")).one()
    assert event.actor_id == tenant_a.users["tenant_admin"]
    assert event.detail == {"format": "csv", "events": 0, "filters": ["target_id"]}


def test_bad_export_requests_change_nothing(app: Flask, tenant_a: TenantFixture) -> None:
    client = _client(app, tenant_a)
    bad_format = _export(client, "xlsx")
    assert bad_format.status_code == 422  # type: ignore[attr-defined]
    assert "Choose CSV or JSON" in bad_format.get_data(as_text=True)  # type: ignore[attr-defined]
    bad_filter = _export(client, "csv", since="yesterday")
    assert bad_filter.status_code == 422  # type: ignore[attr-defined]
    assert "Not a valid date value" in bad_filter.get_data(as_text=True)  # type: ignore[attr-defined]
    with app.app_context(), tenant_context(tenant_a.id):
        assert not db.session.scalars(sa.select(AuditEvent).where(
            AuditEvent.action == "audit.exported")).all()


def test_exports_are_rate_limited_per_user(app: Flask, tenant_a: TenantFixture) -> None:
    client = _client(app, tenant_a)
    for _ in range(10):
        assert _export(client, "json").status_code == 200  # type: ignore[attr-defined]
    refused = _export(client, "json")
    assert refused.status_code == 429  # type: ignore[attr-defined]
    with app.app_context(), tenant_context(tenant_a.id):
        count = db.session.scalar(sa.select(sa.func.count()).where(
            AuditEvent.action == "audit.exported"))
    assert count == 10
