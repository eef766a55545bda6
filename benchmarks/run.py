"""`make bench`: the talent-memory figures on PostgreSQL, each beside its baseline.

One tenant with 1,000,000 candidates among 2,000,000 in total (two synthetic
tenants). Measured in the same run:

- the compound segment query through the app (parse → compile → ORM with tenant
  scoping and row-level security), first 50 rows and the count, against the
  best hand-written SQL for the same question on the same connection role;
- one recruiter's re-engagement queue through the app, against a hand-written
  SQL selection of the same candidates.

The database (``rekindle_bench`` by default) is kept between runs and rebuilt
when its data does not match the requested size. Figures are printed, not
asserted: they are benchmarks, not timed tests.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

import psycopg
import sqlalchemy as sa

SEGMENT_QUERY = (
    "reason:project_wrapup match:high value:flexibility last_contact:>180d "
    "-status:do_not_contact"
)
HAND_SQL_PAGE = """
SELECT c.id, c.name, p.total FROM candidates c JOIN (
  SELECT c.id, count(*) OVER () AS total FROM candidates c
  WHERE c.tenant_id = %(t)s AND c.best_match_score >= 80
    AND c.last_contact_at < %(cutoff)s AND c.status <> 'do_not_contact'
    AND c.reason = 'project_wrapup'
    AND EXISTS (SELECT 1 FROM candidate_tags v WHERE v.tenant_id = c.tenant_id
                AND v.candidate_id = c.id AND v.dimension = 'value' AND v.code = 'flexibility')
  ORDER BY c.id DESC LIMIT 50) p ON p.id = c.id AND c.tenant_id = %(t)s
ORDER BY c.id DESC
"""
def measure(run: Callable[[], object], repeat: int) -> tuple[float, float]:
    """(p50, p95) in milliseconds after two warm-up runs."""
    for _ in range(2):
        run()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[max(0, round(0.95 * len(samples)) - 1)]


def _ensure_database(admin_url: str, name: str) -> tuple[str, str]:
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if not exists:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    owner = sa.engine.make_url(admin_url).set(database=name)
    runtime = owner.set(username="rekindle_app", password=None)
    return (runtime.render_as_string(hide_password=False),
            owner.render_as_string(hide_password=False))


def _tenant_sizes(owner_url: str) -> dict[str, int]:
    engine = sa.create_engine(owner_url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT t.slug, count(c.id) FROM tenants t LEFT JOIN candidates c "
            "ON c.tenant_id = t.id WHERE t.slug IN ('bench-a', 'bench-b') GROUP BY t.slug"))
        sizes = {slug: int(n) for slug, n in rows}
    engine.dispose()
    return sizes


def prepare(admin_url: str, database: str, size: int, today: dt.date) -> tuple[Any, str]:
    """The app bound to a migrated benchmark database holding the synthetic tenants."""
    from flask_migrate import upgrade

    from benchmarks.synthetic import generate_tenant, seal_recruiter_emails
    from saas.app import create_app

    runtime_url, owner_url = _ensure_database(admin_url, database)
    app = create_app({"DATABASE_URL": runtime_url, "MIGRATION_DATABASE_URL": owner_url,
                      "REDIS_URL": "", "TESTING": False})
    with app.app_context():
        upgrade()
    if _tenant_sizes(owner_url) != {"bench-a": size, "bench-b": size}:
        print(f"generating 2 tenants x {size:,} candidates (once; kept in {database}) ...",
              flush=True)
        started = time.perf_counter()
        with psycopg.connect(owner_url.replace("postgresql+psycopg", "postgresql")) as conn:
            conn.execute("DELETE FROM tenants WHERE slug IN ('bench-a', 'bench-b')")
            conn.commit()
            generate_tenant(conn, "bench-a", size, seed=0.1, today=today)
            generate_tenant(conn, "bench-b", size, seed=0.2, today=today)
            conn.commit()
        with app.app_context():
            for slug in ("bench-a", "bench-b"):
                seal_recruiter_emails(slug)
        print(f"  generated in {time.perf_counter() - started:.0f} s", flush=True)
    # As autovacuum would after bulk writes (generation, a migration's backfill):
    # statistics and the visibility map that index-only scans rely on.
    with psycopg.connect(owner_url.replace("postgresql+psycopg", "postgresql"),
                         autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return app, runtime_url


def migrated_app(admin_url: str, database: str) -> Any:
    """The app bound to the migrated benchmark database (no synthetic data made)."""
    from flask_migrate import upgrade

    from saas.app import create_app

    runtime_url, owner_url = _ensure_database(admin_url, database)
    app = create_app({"DATABASE_URL": runtime_url, "MIGRATION_DATABASE_URL": owner_url,
                      "REDIS_URL": "", "TESTING": False})
    with app.app_context():
        upgrade()
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--admin-url", default=os.environ.get(
        "REKINDLE_BENCH_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--database", default="rekindle_bench")
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--only", choices=("talent", "outreach"), default=None,
                        help="run one benchmark (default: both)")
    parser.add_argument("--outreach-size", type=int, default=100_000,
                        help="candidates in the outreach campaign")
    parser.add_argument("--redis-url", default=os.environ.get(
        "REKINDLE_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0"))
    args = parser.parse_args()
    today = dt.date.today()
    if args.only != "outreach":
        app, runtime_url = prepare(args.admin_url, args.database, args.size, today)

        from benchmarks.figures import report, talent_memory_figures

        with app.app_context():
            figures = talent_memory_figures(app, runtime_url, today, args.repeat)
        report(figures, size=args.size)
    if args.only != "talent":
        from benchmarks.outreach import run

        run(migrated_app(args.admin_url, args.database), size=args.outreach_size,
            redis_url=args.redis_url)


if __name__ == "__main__":
    main()
