"""Insights applied on a new interaction: inferred tags, channel, follow-up; manual wins."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask

from saas.extensions import db
from saas.tags.models import CandidateTag
from saas.tenancy.context import tenant_context
from tests.factories import TenantFixture
from tests.tags.helpers import candidate_row, make_candidate, record_note, rerun_note, tags


def test_new_note_sets_inferred_tags_channel_and_follow_up(
    app: Flask, tenant_a: TenantFixture
) -> None:
    cid = make_candidate(app, tenant_a)
    interaction_id = record_note(app, tenant_a, cid)
    found = tags(app, tenant_a, cid)
    assert set(found) == {("reason", "project_wrapup"), ("value", "flexibility"),
                          ("value", "team_culture"), ("channel", "wechat")}
    reason = found[("reason", "project_wrapup")]
    assert reason.source == "inferred" and reason.interaction_id == interaction_id
    assert reason.confidence is not None and 0 < reason.confidence <= 1
    candidate = candidate_row(app, tenant_a, cid)
    assert candidate.preferred_channel == "wechat"
    assert candidate.preferred_channel_source == "inferred"
    assert candidate.next_follow_up_on == dt.date(2025, 11, 12)


def test_follow_up_counts_from_the_candidates_local_date(
    app: Flask, tenant_a: TenantFixture
) -> None:
    cid = make_candidate(app, tenant_a)
    # 20:00 UTC on Jan 30 is already Jan 31 in Shanghai: +1 month clamps to Feb 28.
    record_note(app, tenant_a, cid, "项目收尾,需要1个月",
                occurred_at=dt.datetime(2025, 1, 30, 20, 0, tzinfo=dt.UTC))
    assert candidate_row(app, tenant_a, cid).next_follow_up_on == dt.date(2025, 2, 28)


def test_a_newer_inferred_reason_replaces_the_older_one(
    app: Flask, tenant_a: TenantFixture
) -> None:
    cid = make_candidate(app, tenant_a)
    record_note(app, tenant_a, cid)
    record_note(app, tenant_a, cid, "老板给他加薪30%挽留,他还在犹豫。")
    reasons = [key for key in tags(app, tenant_a, cid) if key[0] == "reason"]
    assert reasons == [("reason", "counter_offer")]


def test_manual_tags_and_channel_win(app: Flask, tenant_a: TenantFixture) -> None:
    cid = make_candidate(app, tenant_a, preferred_channel="email",
                         preferred_channel_source="manual")
    with app.app_context(), tenant_context(tenant_a.id):
        db.session.add_all([
            CandidateTag(candidate_id=cid, dimension="reason", code="health", source="manual"),
            CandidateTag(candidate_id=cid, dimension="value", code="flexibility",
                         source="manual"),
        ])
        db.session.commit()
    record_note(app, tenant_a, cid)
    found = tags(app, tenant_a, cid)
    assert [key for key in found if key[0] == "reason"] == [("reason", "health")]
    assert found[("value", "flexibility")].source == "manual"
    assert found[("value", "team_culture")].source == "inferred"
    assert ("channel", "wechat") not in found
    candidate = candidate_row(app, tenant_a, cid)
    assert (candidate.preferred_channel, candidate.preferred_channel_source) == (
        "email", "manual")


def test_a_removed_inferred_tag_is_not_readded_from_the_same_note(
    app: Flask, tenant_a: TenantFixture
) -> None:
    cid = make_candidate(app, tenant_a)
    interaction_id = record_note(app, tenant_a, cid)
    tag_id = tags(app, tenant_a, cid)[("value", "team_culture")].id
    client = app.test_client()
    gone = client.delete(f"/api/v1/candidates/{cid}/tags/{tag_id}",
                         headers=tenant_a.headers("recruiter"))
    assert gone.status_code == 204
    rerun_note(app, tenant_a, cid, interaction_id)
    assert ("value", "team_culture") not in tags(app, tenant_a, cid)
    # A later note saying it again may add it back.
    record_note(app, tenant_a, cid)
    assert ("value", "team_culture") in tags(app, tenant_a, cid)


def test_empty_huge_and_mixed_notes_do_not_crash(
    app: Flask, tenant_a: TenantFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Reading 100 KB takes a while on a busy test machine; this test is not about timeouts.
    monkeypatch.setitem(app.config, "PLUGIN_HOOK_TIMEOUT", 20)
    cid = make_candidate(app, tenant_a)
    record_note(app, tenant_a, cid, "")
    record_note(app, tenant_a, cid, "   \n ")
    record_note(app, tenant_a, cid, "项目收尾 🙂 wrapping up,需要两三周。" * 2100)  # 100 KB
    record_note(app, tenant_a, cid, "x" * 100_000)
    found = tags(app, tenant_a, cid)
    assert ("reason", "project_wrapup") in found
