"""Loading candidate files (the demo data): validated first, then idempotent."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from saas.candidates.models import Candidate
from saas.candidates.seed import SeedError, load_seed_file
from saas.extensions import db
from saas.offers.models import Offer
from saas.tags.models import CandidateTag
from saas.tenancy.context import tenant_context
from tests.factories import TenantFixture

DEMO = Path(__file__).resolve().parents[2] / "tenants/demo/candidates.jsonl"


def _count(model: type) -> int:
    return int(db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0)


def test_the_demo_file_loads_into_a_living_queue_and_loading_twice_adds_nothing(
    app: Flask, tenant_a: TenantFixture, tmp_path: Path
) -> None:
    demo = tmp_path / "demo.jsonl"  # the demo file, owned by this tenant's people
    demo.write_text(DEMO.read_text(encoding="utf-8")
                    .replace("recruiter@demo.example", tenant_a.emails["recruiter"])
                    .replace("admin@demo.example", tenant_a.emails["tenant_admin"]),
                    encoding="utf-8")
    with app.app_context(), tenant_context(tenant_a.id):
        first = load_seed_file(demo)
        assert first.created >= 150 and first.skipped == 0
        assert _count(Candidate) == first.created
        stalled = db.session.scalars(sa.select(Offer).where(Offer.status == "stalled")).all()
        assert len(stalled) >= 100
        reasons = {offer.reason for offer in stalled}
        assert len(reasons) >= 8  # varied, inferred from the notes
        assert _count(CandidateTag) > first.created
        second = load_seed_file(demo)
        assert second.created == 0 and second.skipped == first.created
        assert _count(Candidate) == first.created


def test_a_bad_line_names_file_line_and_field_and_loads_nothing(
    app: Flask, tenant_a: TenantFixture, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        '{"name": "李雷", "emails": ["li.lei@example.cn"]}\n'
        '{"name": "韩梅梅", "phones": ["12"]}\n'
        'not json\n'
        '{"name": "Lucy", "interactions": [{"summary": "hi"}]}\n'
        '{"name": "Lily", "consents": [{"channel": "fax", "basis": "consent"}]}\n',
        encoding="utf-8",
    )
    with app.app_context(), tenant_context(tenant_a.id):
        with pytest.raises(SeedError) as caught:
            load_seed_file(bad)
        problems = caught.value.problems
        assert any(p.startswith(f"{bad}:2: phones[0]:") for p in problems), problems
        assert any(p.startswith(f"{bad}:3: not JSON") for p in problems), problems
        assert any(p.startswith(f"{bad}:4: interactions") for p in problems), problems
        assert any(p.startswith(f"{bad}:5: consents") for p in problems), problems
        bad.write_text('{"name": "Lily", "owner_email": "nobody@example.com"}\n',
                       encoding="utf-8")
        with pytest.raises(SeedError) as caught:
            load_seed_file(bad)
        assert caught.value.problems == [
            f"{bad}:1: owner_email: no user nobody@example.com in this workspace"]
        assert _count(Candidate) == 0
