"""Migration 0008 copies each decision's last day to its candidate and drops ended dismissals.

A database of its own is migrated to 0007 and given four candidates, written as
that revision's tables hold them: one snoozed, one dismissed and heard from since,
one dismissed with only an older interaction, one with no decision. After the
upgrade the queue leaves out exactly the snoozed and the still-dismissed ones;
a downgrade drops the column and keeps the decisions.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from saas.app import create_app
from saas.extensions import db
from saas.queue.ranking import queue_context, rank_queue
from saas.tenancy.context import tenant_context
from saas.tenancy.models import Tenant
from saas.timeutil import UTCDateTime, utcnow
from tests.backups.helpers import fresh_database as empty_database
from tests.conftest import DB_KIND, app_config

candidates = sa.table(
    "candidates", sa.column("tenant_id", sa.Uuid()), sa.column("id", sa.Uuid()),
    sa.column("name", sa.String()), sa.column("status", sa.String()),
    sa.column("next_follow_up_on", sa.Date()),
    sa.column("created_at", UTCDateTime()), sa.column("updated_at", UTCDateTime()))
interactions = sa.table(
    "interactions", sa.column("tenant_id", sa.Uuid()), sa.column("id", sa.Uuid()),
    sa.column("candidate_id", sa.Uuid()), sa.column("direction", sa.String()),
    sa.column("version", sa.Integer()), sa.column("occurred_at", UTCDateTime()),
    sa.column("created_at", UTCDateTime()))
decisions = sa.table(
    "queue_decisions", sa.column("tenant_id", sa.Uuid()), sa.column("id", sa.Uuid()),
    sa.column("candidate_id", sa.Uuid()), sa.column("decision", sa.String()),
    sa.column("active_until", sa.Date()), sa.column("created_at", UTCDateTime()))


@pytest.fixture()
def fresh_database(tmp_path: Path) -> Iterator[tuple[str, str]]:
    with empty_database(DB_KIND, tmp_path) as urls:
        yield urls


def _seed(owner_url: str, tenant_id: uuid.UUID, today: dt.date) -> dict[str, uuid.UUID]:
    now = utcnow()
    decided = now - dt.timedelta(days=10)
    people = {name: uuid.uuid4() for name in ("snoozed", "heard_since", "still_dismissed",
                                              "free")}
    engine = sa.create_engine(owner_url, poolclass=sa.pool.NullPool)
    with engine.begin() as conn:
        conn.execute(candidates.insert(), [
            {"tenant_id": tenant_id, "id": ident, "name": name, "status": "active",
             "next_follow_up_on": today - dt.timedelta(days=1), "created_at": now,
             "updated_at": now} for name, ident in people.items()])
        conn.execute(decisions.insert(), [
            {"tenant_id": tenant_id, "id": uuid.uuid4(), "candidate_id": people[name],
             "decision": kind, "active_until": today + dt.timedelta(days=days),
             "created_at": decided}
            for name, kind, days in (("snoozed", "snooze", 20), ("heard_since", "dismiss", 170),
                                     ("still_dismissed", "dismiss", 170))])
        conn.execute(interactions.insert(), [
            {"tenant_id": tenant_id, "id": uuid.uuid4(), "candidate_id": people[name],
             "direction": "note", "version": 1, "occurred_at": decided + dt.timedelta(days=shift),
             "created_at": now}
            for name, shift in (("heard_since", 2), ("still_dismissed", -2), ("snoozed", 2))])
    engine.dispose()
    return people


def _hidden_until(owner_url: str) -> dict[uuid.UUID, object]:
    engine = sa.create_engine(owner_url, poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        columns = [c["name"] for c in sa.inspect(conn).get_columns("candidates")]
        if "queue_hidden_until" not in columns:
            return {}
        table = sa.table("candidates", sa.column("id", sa.Uuid()),
                         sa.column("queue_hidden_until", sa.Date()))
        found = dict(conn.execute(sa.select(table.c.id, table.c.queue_hidden_until)).all())
    engine.dispose()
    return found


def _decision_count(owner_url: str) -> int:
    engine = sa.create_engine(owner_url, poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        count = conn.scalar(sa.select(sa.func.count()).select_from(decisions))
    engine.dispose()
    return int(count or 0)


def test_decisions_in_force_move_to_the_candidate(fresh_database: tuple[str, str]) -> None:
    app = create_app(app_config(fresh_database))
    owner_url = fresh_database[1]
    with app.test_request_context():
        upgrade(revision="0007")
        tenant = Tenant(slug=f"mig-{uuid.uuid4().hex[:6]}", name="Queue decisions")
        db.session.add(tenant)
        db.session.commit()
        tenant_id = tenant.id
        with tenant_context(tenant_id):
            today = queue_context().today
        db.session.remove()
        people = _seed(owner_url, tenant_id, today)

        upgrade()
        hidden = _hidden_until(owner_url)
        assert hidden == {people["snoozed"]: today + dt.timedelta(days=20),
                          people["heard_since"]: None,
                          people["still_dismissed"]: today + dt.timedelta(days=170),
                          people["free"]: None}
        assert _decision_count(owner_url) == 2  # the dismissal heard from since is gone
        with tenant_context(tenant_id):
            listed = {e.candidate.id for e in
                      rank_queue(queue_context(), owner_id=None, limit=10).entries}
        assert listed == {people["heard_since"], people["free"]}
        db.session.remove()

        downgrade(revision="0007")
        assert _hidden_until(owner_url) == {}
        assert _decision_count(owner_url) == 2
        upgrade()
        assert _hidden_until(owner_url)[people["still_dismissed"]] == today + dt.timedelta(days=170)
        db.session.remove()
