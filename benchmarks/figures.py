"""The talent-memory figures: the app's path and the best hand-written SQL, side by side."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

import psycopg
import sqlalchemy as sa
from flask import Flask

from benchmarks.run import HAND_SQL_PAGE, SEGMENT_QUERY, measure
from saas.extensions import db
from saas.queue.builtin_reasons import CONTRACT_HORIZON_DAYS, HIGH_MATCH, SILENCE_DAYS
from saas.queue.ranking import LEFT_OUT_STATUSES, queue_context, rank_queue
from saas.segments.service import preview
from saas.tenancy.context import tenant_context, unscoped
from saas.tenancy.models import Tenant

# Only this module's integer constants are formatted into the SQL; values are parameters.
HAND_SQL_QUEUE = f"""
WITH scored AS (
  SELECT c.id, coalesce(c.last_contact_at, '1970-01-01'::timestamptz) AS contact,
    (CASE WHEN c.next_follow_up_on <= %(today)s THEN 40 ELSE 0 END
     + CASE WHEN c.status IN ('stalled', 'nurturing') AND EXISTS (
         SELECT 1 FROM offers o WHERE o.tenant_id = c.tenant_id AND o.candidate_id = c.id
           AND o.status = 'stalled') THEN 30 ELSE 0 END
     + CASE WHEN c.contract_end_date BETWEEN %(today)s AND %(horizon)s THEN 30 ELSE 0 END
     + CASE WHEN c.best_match_score >= {HIGH_MATCH} THEN 25 ELSE 0 END
     + CASE WHEN coalesce(c.last_contact_at, c.created_at) < %(silence)s THEN 15 ELSE 0 END
    ) AS total
  FROM candidates c
  WHERE c.tenant_id = %(t)s AND c.owner_id = %(owner)s
    AND c.status <> ALL(%(left_out)s)
    AND (c.last_contact_at IS NULL OR c.last_contact_at < %(window)s)
    AND (c.queue_hidden_until IS NULL OR c.queue_hidden_until <= %(today)s)
)
SELECT id, contact, least(total, 100) AS score FROM scored WHERE total > 0
ORDER BY least(total, 100) DESC, contact, id LIMIT 51
"""


@dataclass(frozen=True)
class Figure:
    name: str
    app_p50: float
    app_p95: float
    base_p50: float
    base_p95: float
    target_ms: float
    rows: str
    max_ratio: float | None = None  # the bound on app / hand-written SQL, if any

    @property
    def ratio(self) -> float:
        return self.app_p95 / self.base_p95 if self.base_p95 else float("inf")


def _bench_tenant() -> tuple[uuid.UUID, uuid.UUID]:
    from saas.auth.models import User

    with unscoped(reason="benchmark: find the synthetic tenant and a recruiter"):
        tenant = db.session.scalars(sa.select(Tenant).where(Tenant.slug == "bench-a")).one()
        owner = db.session.scalars(
            sa.select(User.id).where(User.tenant_id == tenant.id).order_by(User.name).limit(1)
        ).one()
    return tenant.id, owner


def talent_memory_figures(app: Flask, runtime_url: str, today: dt.date,
                          repeat: int) -> list[Figure]:
    tenant_id, owner_id = _bench_tenant()
    cutoff = dt.datetime.combine(today - dt.timedelta(days=180), dt.time(), tzinfo=dt.UTC)
    raw = psycopg.connect(runtime_url.replace("postgresql+psycopg", "postgresql"), autocommit=True)
    raw.execute("SELECT set_config('app.tenant_id', %s, false)", (str(tenant_id),))
    found: dict[str, Any] = {}

    def app_segment() -> None:
        with tenant_context(tenant_id):
            found_now = preview(SEGMENT_QUERY, today=today, user_id=owner_id, size=50)
            found["app_segment"] = (len(found_now.sample), found_now.count)
            db.session.rollback()
            db.session.expunge_all()

    def hand_segment() -> None:
        params = {"t": tenant_id, "cutoff": cutoff}
        page = raw.execute(HAND_SQL_PAGE, params).fetchall()
        found["hand_segment"] = (len(page), page[0][2] if page else 0)

    def app_queue() -> None:
        with tenant_context(tenant_id):
            page = rank_queue(queue_context(), owner_id=owner_id, limit=50)
            found["app_queue"] = len(page.entries)
            db.session.rollback()
            db.session.expunge_all()

    def hand_queue() -> None:
        now = dt.datetime.now(dt.UTC)
        rows = raw.execute(HAND_SQL_QUEUE, {
            "t": tenant_id, "owner": owner_id, "today": today,
            "horizon": today + dt.timedelta(days=CONTRACT_HORIZON_DAYS),
            "silence": now - dt.timedelta(days=SILENCE_DAYS),
            "window": now - dt.timedelta(days=30), "left_out": list(LEFT_OUT_STATUSES),
        }).fetchall()
        found["hand_queue"] = min(len(rows), 50)

    seg_app = measure(app_segment, repeat)
    seg_hand = measure(hand_segment, repeat)
    queue_app = measure(app_queue, repeat)
    queue_hand = measure(hand_queue, repeat)
    raw.close()
    if found["app_segment"] != found["hand_segment"]:
        raise SystemExit(f"the app and the hand SQL disagree: {found}")
    page, count = found["app_segment"]
    return [
        Figure("segment: compound query, first 50 + count", *seg_app, *seg_hand, 50.0,
               f"{page} rows of {count:,}", max_ratio=2.0),
        Figure("queue: one recruiter, first 50", *queue_app, *queue_hand, 100.0,
               f"{found['app_queue']} entries (hand SQL {found['hand_queue']})"),
    ]


def report(figures: list[Figure], *, size: int) -> None:
    print(f"\nTalent memory on PostgreSQL: 1 tenant of {size:,} candidates "
          f"among {2 * size:,} (milliseconds)\n")
    header = f"{'figure':44} {'app p50':>8} {'app p95':>8} {'SQL p50':>8} {'SQL p95':>8} " \
             f"{'ratio':>6} {'target':>7}  result"
    print(header)
    print("-" * len(header))
    for f in figures:
        within = f.max_ratio is None or f.ratio <= f.max_ratio
        verdict = "ok" if f.app_p95 <= f.target_ms and within else "MISSED"
        print(f"{f.name:44} {f.app_p50:8.1f} {f.app_p95:8.1f} {f.base_p50:8.1f} "
              f"{f.base_p95:8.1f} {f.ratio:6.2f} {f.target_ms:7.0f}  {verdict}  ({f.rows})")
    print("\nratio = app p95 / hand-written SQL p95. Targets: segment p95 ≤ 50 ms and ratio ≤ 2; "
          "queue p95 ≤ 100 ms.")
