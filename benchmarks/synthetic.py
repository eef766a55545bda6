"""A synthetic-tenant generator for benchmarks: a million candidates in seconds, on PostgreSQL.

The rows are made inside PostgreSQL (``INSERT ... SELECT`` over
``generate_series``, seeded with ``setseed`` so a run is repeatable), as the
table owner, into the schema of the real migrations. They are shaped like a
real talent pool: statuses, owners, last contacts spread over years, follow-up
dates, contract ends, reason tags and stalled offers on stalled candidates,
values, skills, match scores and the recruiters' snoozes and dismissals.
Encrypted contact fields are left empty: the benchmarks measure selection and
ranking, not decryption.

Later benchmarks (outreach, imports, matching) reuse :func:`generate_tenant`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

import psycopg
import sqlalchemy as sa

from saas.ids import new_id

# Cumulative shares of each status (the rest: interviewing).
STATUS_SHARES = (
    ("active", 0.30), ("stalled", 0.55), ("nurturing", 0.75), ("offered", 0.80),
    ("hired", 0.87), ("declined", 0.92), ("re_engaged", 0.95), ("do_not_contact", 0.98),
)
REASONS = [
    "project_wrapup", "counter_offer", "competing_offer", "family_matter", "health",
    "compensation_question", "career_path_question", "culture_question", "benefits_question",
    "process_friction", "felt_undervalued", "relocation", "unknown",
]
VALUES = ["flexibility", "team_culture", "compensation", "training", "family",
          "career_growth", "stability"]
CHANNELS = ["wechat", "email", "sms", "linkedin", "phone"]
SKILLS = [*(f"skill{n:02d}" for n in range(40)), "python", "java", "pmp", "sql", "go"]
CITIES = ["上海", "北京", "深圳", "杭州", "成都", "Singapore", "London", "Berlin"]


@dataclass
class SyntheticTenant:
    tenant_id: uuid.UUID
    slug: str
    recruiter_ids: list[uuid.UUID] = field(default_factory=list)
    candidates: int = 0


def _status_case() -> str:
    parts = " ".join(f"WHEN s.r < {share} THEN '{status}'" for status, share in STATUS_SHARES)
    return f"CASE {parts} ELSE 'interviewing' END"


CANDIDATES_SQL = f"""
INSERT INTO candidates (tenant_id, id, name, current_company, title, city, locale, timezone,
  status, owner_id, preferred_channel, contract_end_date, next_follow_up_on, last_contact_at,
  best_match_score, created_at, updated_at)
SELECT %(t)s, gen_random_uuid(), 'Candidate ' || g, 'Company ' || (g %% 5000), 'Engineer',
  (%(cities)s::text[])[1 + g %% cardinality(%(cities)s::text[])], 'zh-CN', 'Asia/Shanghai',
  {_status_case()},
  (%(owners)s::uuid[])[1 + g %% cardinality(%(owners)s::uuid[])],
  CASE WHEN random() < 0.5 THEN (%(channels)s::text[])[1 + g %% 5] END,
  CASE WHEN random() < 0.15 THEN %(today)s::date + (floor(random() * 395) - 30)::int END,
  CASE WHEN random() < 0.30 THEN %(today)s::date + (floor(random() * 240) - 60)::int END,
  %(now)s::timestamptz - make_interval(days => floor(random() * 900)::int,
                                       mins => floor(random() * 1440)::int),
  CASE WHEN random() < 0.8 THEN floor(random() * 101)::int END,
  %(now)s, %(now)s
FROM generate_series(1, %(n)s) AS g, LATERAL (SELECT random() + g * 0 AS r) AS s
"""
REASON_TAGS_SQL = """
INSERT INTO candidate_tags (tenant_id, id, candidate_id, dimension, code, source, confidence,
  created_at)
SELECT tenant_id, gen_random_uuid(), id, 'reason',
  (%(reasons)s::text[])[1 + floor(random() * cardinality(%(reasons)s::text[]))::int],
  'inferred', round((0.5 + random() * 0.45)::numeric, 2), %(now)s
FROM candidates WHERE tenant_id = %(t)s AND (status = 'stalled' OR random() < 0.1)
"""
PRIMARY_REASON_SQL = """
UPDATE candidates c SET reason = t.code FROM candidate_tags t
WHERE c.tenant_id = %(t)s AND t.tenant_id = c.tenant_id AND t.candidate_id = c.id
  AND t.dimension = 'reason'
"""
VALUE_TAGS_SQL = """
INSERT INTO candidate_tags (tenant_id, id, candidate_id, dimension, code, source, created_at)
SELECT tenant_id, gen_random_uuid(), id, 'value', (%(values)s::text[])[1 + (v.first + k) %% 7],
  CASE WHEN random() < 0.5 THEN 'manual' ELSE 'inferred' END, %(now)s
FROM candidates,
  LATERAL (SELECT floor(random() * 7)::int AS first,
                  (ARRAY[0, 1, 1, 2])[1 + floor(random() * 4)::int] + length(id::text) * 0 AS n) v,
  LATERAL generate_series(0, v.n - 1) AS k
WHERE tenant_id = %(t)s
"""
SKILLS_SQL = """
INSERT INTO candidate_skills (tenant_id, id, candidate_id, skill)
SELECT tenant_id, gen_random_uuid(), id, (%(skills)s::text[])[1 + (v.first + k * 7) %% 45]
FROM candidates,
  LATERAL (SELECT floor(random() * 45)::int + length(id::text) * 0 AS first) v,
  LATERAL generate_series(0, 1) AS k
WHERE tenant_id = %(t)s
"""
OFFERS_SQL = """
INSERT INTO offers (tenant_id, id, candidate_id, sent_at, respond_by, status, stalled_at,
  reason, reason_source, created_at)
SELECT c.tenant_id, gen_random_uuid(), c.id, o.sent, o.sent + interval '7 days', 'stalled',
  o.sent + interval '8 days', coalesce(r.code, 'unknown'),
  CASE WHEN r.code IS NULL THEN 'unknown' ELSE 'inferred' END, %(now)s
FROM candidates c
CROSS JOIN LATERAL (SELECT c.last_contact_at - make_interval(days => 1 + floor(random() * 20)::int)
                    AS sent) o
LEFT JOIN candidate_tags r ON r.tenant_id = c.tenant_id AND r.candidate_id = c.id
  AND r.dimension = 'reason'
WHERE c.tenant_id = %(t)s AND c.status = 'stalled'
"""
# 2% of candidates carry a queue decision, as recruiters leave them: half snoozed
# (some already past their day), half dismissed within the last 200 days (180-day
# dismissals, so some have run out). Each candidate gets its decision's last day.
DECISIONS_SQL = """
WITH chosen AS (
  SELECT c.tenant_id, c.id, random() < 0.5 AS snoozed, random() AS r
  FROM candidates c WHERE c.tenant_id = %(t)s AND random() < 0.02
), made AS (
  INSERT INTO queue_decisions (tenant_id, id, candidate_id, decision, reason, active_until,
    created_at)
  SELECT tenant_id, gen_random_uuid(), id,
    CASE WHEN snoozed THEN 'snooze' ELSE 'dismiss' END,
    CASE WHEN snoozed THEN NULL ELSE 'Not looking this year' END,
    CASE WHEN snoozed THEN %(today)s + (floor(r * 90)::int - 20)
         ELSE %(today)s + (180 - floor(r * 200)::int) END,
    %(now)s - make_interval(days => floor(r * 200)::int)
  FROM chosen RETURNING candidate_id, active_until
)
UPDATE candidates c SET queue_hidden_until = made.active_until FROM made
WHERE c.tenant_id = %(t)s AND c.id = made.candidate_id
"""


def generate_tenant(
    conn: psycopg.Connection, slug: str, candidates: int, *, recruiters: int = 20,
    seed: float = 0.42, today: dt.date | None = None,
) -> SyntheticTenant:
    """Create tenant ``slug`` with ``recruiters`` users and ``candidates`` candidates."""
    today = today or dt.date.today()
    now = dt.datetime.combine(today, dt.time(9), tzinfo=dt.UTC)
    tenant = SyntheticTenant(tenant_id=new_id(), slug=slug, candidates=candidates)
    tenant.recruiter_ids = [new_id() for _ in range(recruiters)]
    params = {
        "t": tenant.tenant_id, "n": candidates, "today": today, "now": now,
        "owners": tenant.recruiter_ids, "cities": CITIES, "channels": CHANNELS,
        "reasons": REASONS, "values": VALUES, "skills": SKILLS,
    }
    with conn.cursor() as cur:
        cur.execute("SELECT setseed(%s)", (seed,))
        cur.execute(
            "INSERT INTO tenants (id, slug, name, locale, timezone, plan, status, policy, "
            "created_at, updated_at) VALUES (%s, %s, %s, 'zh-CN', 'Asia/Shanghai', "
            "'standard', 'active', '{}', now(), now())",
            (tenant.tenant_id, slug, f"Synthetic {slug}"),
        )
        for n, uid in enumerate(tenant.recruiter_ids):
            # The sign-in e-mail is sealed by the app afterwards (seal_recruiter_emails);
            # until then the blind-index column holds a unique placeholder.
            cur.execute(
                "INSERT INTO users (tenant_id, id, email_index, name, role, auth_epoch, "
                "created_at) VALUES (%s, %s, %s, %s, 'recruiter', 0, now())",
                (tenant.tenant_id, uid, f"unsealed-{uid.hex}", f"Recruiter {n:02d}"),
            )
        for statement in (CANDIDATES_SQL, REASON_TAGS_SQL):
            cur.execute(statement, params)
        # Fresh statistics before the join that copies each reason onto its candidate:
        # after an earlier tenant was deleted, stale ones make it a nested loop of hours.
        cur.execute("ANALYZE candidates")
        cur.execute("ANALYZE candidate_tags")
        for statement in (PRIMARY_REASON_SQL, VALUE_TAGS_SQL, SKILLS_SQL, OFFERS_SQL,
                          DECISIONS_SQL):
            cur.execute(statement, params)
    conn.commit()
    return tenant


def seal_recruiter_emails(slug: str) -> None:
    """Give a generated tenant's recruiters their sealed sign-in e-mails (in an app context).

    Raw SQL cannot encrypt under the tenant's keys, so the generator leaves this to
    the app's own encrypted field, as a real sign-up would.
    """
    from saas.auth.models import User
    from saas.extensions import db
    from saas.tenancy.context import tenant_context, unscoped
    from saas.tenancy.models import Tenant

    with unscoped(reason="benchmark: find the synthetic tenant"):
        tenant_id = db.session.scalars(sa.select(Tenant.id).where(Tenant.slug == slug)).one()
    with tenant_context(tenant_id):
        users = db.session.scalars(sa.select(User).order_by(User.name)).all()
        for user in users:
            number = user.name.removeprefix("Recruiter ")
            user.email = f"recruiter{number}@{slug}.example"
        db.session.commit()
