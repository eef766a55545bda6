"""Openings and change events in seed files: the demo's company news, loaded once, and
the messages it lets the demo write; bad lines refused with nothing written."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from saas.candidates.models import Candidate
from saas.candidates.seed import SeedError, load_seed_files
from saas.extensions import db
from saas.openings.models import ChangeEvent, Opening
from saas.outreach.template_context import build_context
from saas.tenancy.context import tenant_context
from saas.timeutil import utcnow
from tests.factories import TenantFixture

DEMO = Path(__file__).resolve().parents[2] / "tenants/demo"
CJK = re.compile(r"[\u3400-\u9fff]")
# TAXONOMY kinds the demo's news must show (beside the openings' own announcements).
DEMO_KINDS = {"policy", "training_program", "benefit", "funding", "business_line"}
OLDEST_NEWS_DAYS = 91  # the demo's oldest news, with a day for time zones


def _own(path: Path, tenant: TenantFixture, tmp_path: Path) -> Path:
    """A demo file whose candidates belong to this tenant's people."""
    copy = tmp_path / path.name
    copy.write_text(path.read_text(encoding="utf-8")
                    .replace("recruiter@demo.example", tenant.emails["recruiter"])
                    .replace("admin@demo.example", tenant.emails["tenant_admin"]),
                    encoding="utf-8")
    return copy


def _rows(model: type) -> list[object]:
    return list(db.session.scalars(sa.select(model)))


def test_the_demo_news_is_loaded_once_by_the_seed_command(
        app: Flask, tenant_a: TenantFixture) -> None:
    runner = app.test_cli_runner()
    args = ["tenants", "seed", str(DEMO / "company.jsonl"), "--tenant", tenant_a.slug]
    first = runner.invoke(args=args)
    assert first.exit_code == 0, first.output
    assert "5 openings and 6 change events added (0 already there)" in first.output
    second = runner.invoke(args=args)
    assert second.exit_code == 0, second.output
    assert "0 openings and 0 change events added (11 already there)" in second.output
    with app.app_context(), tenant_context(tenant_a.id):
        openings = db.session.scalars(sa.select(Opening)).all()
        assert len(openings) == 5
        assert all(o.status == "open" and o.published_at is not None for o in openings)
        assert any("manager" in o.title.lower() and "career_growth" in o.values
                   for o in openings)
        events = db.session.scalars(sa.select(ChangeEvent)).all()
        announced = [e for e in events if e.kind == "opening"]
        news = [e for e in events if e.kind != "opening"]
        # Each published opening is announced once; the news is the file's, once each.
        assert sorted(str(e.opening_id) for e in announced) == sorted(str(o.id) for o in openings)
        assert {e.kind for e in news} >= DEMO_KINDS and len(news) == 6
        today = utcnow().date()
        for event in news:
            assert set(event.texts) == {"zh-CN", "en"}, event.title
            assert CJK.search(event.texts["zh-CN"]) and not CJK.search(event.texts["en"])
            assert event.values and event.published_at is not None
            assert today - dt.timedelta(days=365) < event.occurred_on < today
        remote = next(e for e in news if e.kind == "policy")
        assert remote.values == ["flexibility"]


def test_demo_candidates_hear_news_that_speaks_to_their_values(
        app: Flask, tenant_a: TenantFixture, tmp_path: Path) -> None:
    files = [_own(DEMO / "candidates.jsonl", tenant_a, tmp_path), DEMO / "company.jsonl"]
    with app.app_context(), tenant_context(tenant_a.id):
        loaded = load_seed_files(files)
        assert (loaded.openings, loaded.change_events) == (5, 6)
        assert loaded.created >= 150
        now = utcnow()
        with_values = with_news = with_openings = 0
        for candidate in db.session.scalars(sa.select(Candidate)):
            context = build_context(candidate, locale=candidate.locale or "zh-CN",
                                    channel="email", sender=None, now=now)
            if not context["candidate"].value_codes:
                continue
            with_values += 1
            with_news += bool(context["changes"])
            with_openings += bool(context["openings"])
            talk = context["last_conversation"]
            if talk is None or (now.date() - talk.date).days > OLDEST_NEWS_DAYS:
                # Every value has news within that time: whoever was last heard from
                # before it has something to be told.
                assert context["changes"], (candidate.name, context["candidate"].value_codes)
            if candidate.locale == "en":  # English messages name the news in English
                assert not any(CJK.search(c.text) for c in context["changes"])
                assert not any(CJK.search(o.title) for o in context["openings"])
        assert with_values >= 150
        assert with_news >= 0.8 * with_values and with_openings >= 0.5 * with_values
        # Match scores were refreshed for the openings: some candidates fit one well.
        high = db.session.scalar(sa.select(sa.func.count()).select_from(Candidate).where(
            Candidate.best_match_score >= 80))
        assert high
        again = load_seed_files(files)
        assert (again.created, again.openings, again.change_events) == (0, 0, 0)
        assert again.company_skipped == 11
        assert len(_rows(Opening)) == 5 and len(_rows(ChangeEvent)) == 11


def test_bad_company_lines_name_file_line_and_field_and_load_nothing(
        app: Flask, tenant_a: TenantFixture, tmp_path: Path) -> None:
    bad = tmp_path / "company.jsonl"
    lines: list[dict[str, object]] = [
        {"type": "change_event", "kind": "policy", "title": "Remote days", "days_ago": 3,
         "values": ["flexibility"], "texts": {"en": "Two remote days"}},
        {"type": "change_event", "kind": "policy", "title": "No day"},
        {"type": "change_event", "kind": "rumour", "title": "x", "days_ago": 1},
        {"type": "opening", "title": "Lead", "status": "open", "values": ["fame"]},
        {"type": "change_event", "kind": "award", "title": "x", "days_ago": 1,
         "opening_id": "00000000-0000-0000-0000-000000000000"},
        {"type": "press_release", "title": "x"},
        {"type": "change_event", "kind": "award", "title": "x", "days_ago": True},
    ]
    bad.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    people = tmp_path / "people.jsonl"
    people.write_text('{"name": "李雷", "emails": ["li.lei@example.cn"]}\n', encoding="utf-8")
    with app.app_context(), tenant_context(tenant_a.id):
        with pytest.raises(SeedError) as caught:
            load_seed_files([people, bad])
        problems = caught.value.problems
        expected = {2: "days_ago", 3: "kind", 4: "values", 5: "opening_id", 6: "type",
                    7: "days_ago"}
        for line, key in expected.items():
            assert any(p.startswith(f"{bad}:{line}: {key}") for p in problems), (line, problems)
        assert not any(p.startswith(f"{bad}:1:") for p in problems)
        assert _rows(ChangeEvent) == [] and _rows(Opening) == [] and _rows(Candidate) == []
