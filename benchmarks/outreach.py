"""The outreach benchmark: one campaign step over N candidates, end to end, on PostgreSQL.

A fresh synthetic tenant per run (``bench-outreach-…``): N candidates with phones
sealed under their own keys (keys made in bulk, phones sealed in Python in
batches), SMS consent, a last conversation on their timeline (summary sealed under
their key) and the value ``flexibility``; one published change event that speaks to
it; the ``channel_sms`` plugin pointed at the SMS stand-in running in its own process
(``benchmarks.standin_sms``); one SMS template that, like a real one, names the
candidate, remembers the last conversation and tells the change — so every message
reads the candidate's timeline, values and the company's changes. Two RQ workers
(``flask --app wsgi worker``) on a queue prefix of their own. Then:

- **launch**: enrolling the segment (in batches of 1,000), timed on its own: the web
  request a recruiter waits for, before any message is written.
- **campaign step**: the step runner (render → routing → policy → outbox, 1,000
  enrollments per batch, one send job per batch) → the send job (claim → the plugin's
  batch send → one HTTP request per 500 to the stand-in → ``sent`` + timeline).
  Measured from the runner's start to the last ``sent_at``; every message must be
  sent. Launch and step together are printed too.
- **RQ no-op**: 20,000 jobs that do nothing, drained by the same two workers.

Figures are printed beside each other with the ratio; they are not asserted.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import Flask
from redis import Redis
from rq import Queue
from rq.serializers import JSONSerializer

from saas.extensions import db
from saas.ids import new_id
from saas.tenancy.context import tenant_context

TEMPLATE_BODY = (
    "{{ candidate.name }}您好，{{ last_conversation.date | ago }}"
    "您提到{{ last_conversation.summary }}。"
    "{% if changes %}想告诉您：{{ changes[0].text }}。{% endif %}方便再聊聊吗？回复T退订")
SUMMARY = "手上的项目要收尾"
GENERATE_BATCH = 2000
NOOP_JOBS = 20_000


@dataclass(frozen=True)
class OutreachFigures:
    size: int
    sent: int
    blocked: int
    seconds: float
    launch_seconds: float
    noop_jobs: int
    noop_seconds: float
    delivered_by_provider: int | None

    @property
    def messages_per_second(self) -> float:
        return self.sent / self.seconds if self.seconds else 0.0

    @property
    def noop_per_second(self) -> float:
        return self.noop_jobs / self.noop_seconds if self.noop_seconds else 0.0


def _start_standin(api_key: str) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(  # noqa: S603 (our own module)
        [sys.executable, "-m", "benchmarks.standin_sms", "--api-key", api_key],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    return process, process.stdout.readline().strip()


def _stop_standin(process: subprocess.Popen[str]) -> int | None:
    try:
        out, _err = process.communicate(input="", timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        return None
    lines = [line for line in out.splitlines() if line.strip()]
    return int(lines[-1]) if lines else None


def _make_tenant(base_url: str, api_key: str) -> tuple[uuid.UUID, uuid.UUID]:
    """A tenant, one recruiter, the SMS plugin on and one template; (tenant, user)."""
    from saas.auth.users import create_user
    from saas.crypto.keys import active_key
    from saas.hooks.settings import configure_plugin
    from saas.openings.models import ChangeEvent
    from saas.outreach.models import Template
    from saas.tenancy.models import Tenant

    tenant = Tenant(slug=f"bench-outreach-{uuid.uuid4().hex[:8]}", name="Outreach bench")
    tenant.policy = {"max_messages_per_30_days": 10, "quiet_hours": "",
                     "channel_order": ["sms"]}
    db.session.add(tenant)
    db.session.flush()
    with tenant_context(tenant.id):
        active_key("tenant", tenant.id, "data")
        active_key("tenant", tenant.id, "blind_index")
        user = create_user(email=f"recruiter@{tenant.slug}.example", name="Recruiter",
                           role="recruiter", password=uuid.uuid4().hex)
        configure_plugin("channel_sms", enabled=True, settings={
            "base_url": base_url, "api_key": api_key, "allowed_hosts": "127.0.0.1"})
        db.session.add(Template(name="bench-hello", channel="sms", locale="zh-CN",
                                body=TEMPLATE_BODY, purpose="company_news"))
        db.session.add(ChangeEvent(
            kind="policy", title="Remote days", values=["flexibility"],
            texts={"zh-CN": "研发团队现在每周可以远程办公两天"},
            occurred_on=dt.date.today() - dt.timedelta(days=20),
            published_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=20)))
        db.session.commit()
        return tenant.id, user.id


FILLED_TABLES = ("candidates", "data_keys", "consent_records", "interactions", "candidate_tags")


def _analyze(owner_url: str) -> None:
    """Fresh statistics on the tables being filled, as autovacuum would take them (it may
    be off, as on the development machine): on a new database, plans made while they
    were empty — foreign-key checks by sequential scan — would otherwise stay."""
    engine = sa.create_engine(owner_url, isolation_level="AUTOCOMMIT",
                              poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        conn.execute(sa.text(f"ANALYZE {', '.join(FILLED_TABLES)}"))
    engine.dispose()


def _generate_candidates(tenant_id: uuid.UUID, size: int, owner_url: str) -> None:
    """``size`` candidates with a phone under their own key, SMS consent, a last
    conversation and a value, in batches."""
    from saas.candidates.models import Candidate
    from saas.candidates.timeline import Interaction
    from saas.crypto.keys import create_key
    from saas.privacy.models import ConsentRecord
    from saas.tags.models import CandidateTag

    given = dt.datetime.now(dt.UTC) - dt.timedelta(days=30)
    talked = dt.datetime.now(dt.UTC) - dt.timedelta(days=95)
    with tenant_context(tenant_id):
        for start in range(0, size, GENERATE_BATCH):
            markers = db.session.info.setdefault("rekindle_active_keys", {})
            for n in range(start, min(size, start + GENERATE_BATCH)):
                candidate = Candidate(id=new_id(), tenant_id=tenant_id, status="active",
                                      name=f"候选人{n}", locale="zh-CN",
                                      timezone="Asia/Shanghai", preferred_channel="sms")
                markers["candidate", candidate.id, "data"] = create_key(
                    "candidate", candidate.id).id
                candidate.phones = [f"+86138{n:08d}"]
                db.session.add(candidate)
                db.session.add(ConsentRecord(id=new_id(), candidate_id=candidate.id,
                                             channel="sms", basis="consent",
                                             source="benchmark", given_at=given))
                talk = Interaction(id=new_id(), tenant_id=tenant_id, candidate_id=candidate.id,
                                   occurred_at=talked, channel="phone", direction="inbound",
                                   version=1)
                talk.summary = SUMMARY
                db.session.add(talk)
                db.session.add(CandidateTag(id=new_id(), candidate_id=candidate.id,
                                            dimension="value", code="flexibility"))
            db.session.commit()
            db.session.expunge_all()
            db.session.info.clear()
            if start == 0:
                _analyze(owner_url)


def _worker_env(app: Flask) -> dict[str, str]:
    return {**os.environ, "REKINDLE_DATABASE_URL": app.config["DATABASE_URL"],
            "REKINDLE_REDIS_URL": app.config["REDIS_URL"],
            "REKINDLE_JOBS_QUEUE_PREFIX": app.config["JOBS_QUEUE_PREFIX"],
            "REKINDLE_MASTER_KEYS": app.config["MASTER_KEYS"],
            "REKINDLE_SECRET_KEY": app.config["SECRET_KEY"]}


def _start_workers(app: Flask, count: int) -> list[subprocess.Popen[bytes]]:
    return [subprocess.Popen(  # noqa: S603 (flask from this virtualenv)
        [os.path.join(os.path.dirname(sys.executable), "flask"), "--app", "wsgi", "worker"],
        env=_worker_env(app), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(count)]


def _stop_workers(workers: list[subprocess.Popen[bytes]]) -> None:
    for worker in workers:
        worker.terminate()
    for worker in workers:
        worker.wait(timeout=30)


def _campaign_run(tenant_id: uuid.UUID, user_id: uuid.UUID, size: int,
                  timeout: float) -> tuple[int, int, float, float]:
    """Launch, wait until nothing is left to send; (sent, blocked, step seconds, launch
    seconds)."""
    from saas.campaigns.jobs import start_runner
    from saas.campaigns.service import StepSpec, create_campaign, launch
    from saas.outreach.models import OutboundMessage

    with tenant_context(tenant_id):
        now = dt.datetime.now(dt.UTC)
        campaign = create_campaign(name="bench", segment_query="", holdout_percent=0,
                                   steps=[StepSpec(0, "bench-hello", "sms")],
                                   created_by=user_id, today=now.date())
        db.session.commit()
        campaign_id = campaign.id
        launched = dt.datetime.now(dt.UTC)
        launch(campaign, now=launched, actor_id=user_id)
        started = dt.datetime.now(dt.UTC)
        start_runner(tenant_id, campaign_id)
        counts: dict[str, int] = {}
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            time.sleep(0.5)
            counts = dict(db.session.execute(sa.select(
                OutboundMessage.state, sa.func.count()).where(
                OutboundMessage.campaign_id == campaign_id).group_by(
                OutboundMessage.state)).all())
            db.session.rollback()
            done = counts.get("sent", 0) + counts.get("blocked", 0) + counts.get("failed", 0)
            if done >= size:
                break
        last = db.session.scalar(sa.select(sa.func.max(OutboundMessage.sent_at)).where(
            OutboundMessage.campaign_id == campaign_id)) or dt.datetime.now(dt.UTC)
        db.session.rollback()
    return (counts.get("sent", 0), counts.get("blocked", 0), (last - started).total_seconds(),
            (started - launched).total_seconds())


def _noop_run(app: Flask, jobs: int) -> float:
    """Enqueue ``jobs`` no-op RQ jobs at once; seconds until the workers drained them."""
    connection = Redis.from_url(app.config["REDIS_URL"])
    queue = Queue(f"{app.config['JOBS_QUEUE_PREFIX']}:default", connection=connection,
                  serializer=JSONSerializer)
    started = time.perf_counter()
    for offset in range(0, jobs, 1000):
        queue.enqueue_many([Queue.prepare_data("os.getpid", result_ttl=0)
                            for _ in range(min(1000, jobs - offset))])
    while queue.count or queue.started_job_registry.count:
        time.sleep(0.05)
    return time.perf_counter() - started


def outreach_figures(app: Flask, *, size: int, redis_url: str,
                     timeout: float = 1800.0) -> OutreachFigures:
    """Run the campaign and the no-op drain with 2 workers; see the module."""
    app.config["REDIS_URL"] = redis_url
    app.config["JOBS_QUEUE_PREFIX"] = f"rekindle-bench-{uuid.uuid4().hex[:8]}"
    api_key = uuid.uuid4().hex
    standin, base_url = _start_standin(api_key)
    workers: list[subprocess.Popen[bytes]] = []
    try:
        with app.app_context():
            tenant_id, user_id = _make_tenant(base_url, api_key)
            print(f"generating 1 tenant x {size:,} candidates with phones and consent ...",
                  flush=True)
            generated = time.perf_counter()
            _generate_candidates(tenant_id, size, app.config["MIGRATION_DATABASE_URL"])
            print(f"  generated in {time.perf_counter() - generated:.0f} s", flush=True)
            workers = _start_workers(app, 2)
            time.sleep(3)  # the workers import the app before the clock starts
            sent, blocked, seconds, launch_seconds = _campaign_run(tenant_id, user_id, size,
                                                                   timeout)
            noop_seconds = _noop_run(app, NOOP_JOBS)
    finally:
        if workers:
            _stop_workers(workers)
        delivered = _stop_standin(standin)
    return OutreachFigures(size, sent, blocked, seconds, launch_seconds, NOOP_JOBS,
                           noop_seconds, delivered)


def report_outreach(f: OutreachFigures) -> None:
    """Print the figures in the style of :func:`benchmarks.figures.report`."""
    target = 1000.0
    print(f"\nOutreach on PostgreSQL: one campaign step over {f.size:,} candidates, "
          "2 RQ workers, SMS stand-in (messages per second)\n")
    header = f"{'figure':44} {'count':>8} {'seconds':>8} {'per s':>8} {'target':>7}  result"
    print(header)
    print("-" * len(header))
    verdict = "ok" if f.messages_per_second >= target and f.sent == f.size else "MISSED"
    print(f"{'campaign step: render, policy, outbox, send':44} {f.sent:8,} {f.seconds:8.1f} "
          f"{f.messages_per_second:8.0f} {target:7.0f}  {verdict}  "
          f"(blocked {f.blocked}, provider accepted {f.delivered_by_provider})")
    print(f"{'launch: enrol the segment (no message yet)':44} {f.size:8,} "
          f"{f.launch_seconds:8.1f} {f.size / f.launch_seconds:8.0f}")
    total = f.seconds + f.launch_seconds
    print(f"{'launch + campaign step':44} {f.sent:8,} {total:8.1f} {f.sent / total:8.0f}")
    print(f"{'RQ: no-op jobs':44} {f.noop_jobs:8,} {f.noop_seconds:8.1f} "
          f"{f.noop_per_second:8.0f} {'':>7}")
    ratio = f.messages_per_second / f.noop_per_second if f.noop_per_second else 0.0
    print(f"\nratio = messages/s ÷ RQ no-op jobs/s = {ratio:.2f} "
          "(above 1 only with batching: one send job carries up to 1,000 messages).")


def run(app: Flask, *, size: int, redis_url: str) -> dict[str, Any]:
    figures = outreach_figures(app, size=size, redis_url=redis_url)
    report_outreach(figures)
    return {"messages_per_second": figures.messages_per_second}
