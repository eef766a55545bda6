"""Accuracy of analyze_note on the shared labelled notes and on our own labelled notes.

``notes_holdout.jsonl`` and ``notes_fresh.jsonl`` are written by hand and labelled by
shared/TAXONOMY.md's rules (not by what the extractor returns). The fresh set was
written as realistic recruiter notes (WeChat style, third person, mixed zh/en, typos)
covering every reason, value, channel, follow-up form and exclusion, with distractors.
``notes_blind*.jsonl`` were written blind, by someone who never saw the rules, and labelled by
TAXONOMY; each was first measured as unseen, then (except the last) its failures' families
were fixed. ``notes_blind4.jsonl`` was written after three rounds of fixes and is kept as
measured (reason 0.940, values F1 0.983, channel 0.980, follow-up 0.993 on first sight).
``notes_paraphrase.jsonl`` holds our own
paraphrases of the phrasing families the blind notes exposed (recruiter shorthand, idioms,
"X works", negated moves, spent durations, a bare channel closing a note, a counter-offer's
terms); test_phrasing_families.py checks the families the third set exposed on new wordings.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest

from saas.insights import analyze_note, follow_up_date

DEV_FILE = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "insights-dev.jsonl"
HOLDOUT_FILE = Path(__file__).resolve().parent / "notes_holdout.jsonl"
FRESH_FILE = Path(__file__).resolve().parent / "notes_fresh.jsonl"
BLIND_FILES = [Path(__file__).resolve().parent / f"notes_blind{n}.jsonl"
               for n in ("", "2", "3", "4")]
PARAPHRASE_FILE = Path(__file__).resolve().parent / "notes_paraphrase.jsonl"

REASONS = {
    "project_wrapup", "counter_offer", "competing_offer", "family_matter", "health",
    "compensation_question", "career_path_question", "culture_question", "benefits_question",
    "process_friction", "felt_undervalued", "relocation",
}
VALUES = {"flexibility", "team_culture", "compensation", "training", "family", "career_growth",
          "stability"}
CHANNELS = {"email", "sms", "wechat", "linkedin", "phone"}

REASON_MIN, VALUES_F1_MIN, CHANNEL_MIN, FOLLOW_UP_MIN = 0.90, 0.90, 0.95, 0.90


def _load(path: Path) -> list[dict[str, Any]]:
    assert path.is_file(), f"labelled notes missing: {path}"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    assert rows, f"no labelled notes in {path}"
    return rows


def _metrics(rows: list[dict[str, Any]]) -> dict[str, float]:
    reason = channel = follow = tp = fp = fn = 0
    for row in rows:
        got = analyze_note(row["text"], today=datetime.date.fromisoformat(row["today"]))
        expected_date = row["follow_up_on"]
        expected_values = set(row["values"])
        # The blind set spells "no cue" as TAXONOMY's "unknown"; analyze_note returns None.
        reason += got.reason == (None if row["reason"] == "unknown" else row["reason"])
        channel += got.channel == row["channel"]
        follow += got.follow_up_on == (
            datetime.date.fromisoformat(expected_date) if expected_date else None
        )
        tp += len(got.values & expected_values)
        fp += len(got.values - expected_values)
        fn += len(expected_values - got.values)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    n = len(rows)
    return {"reason": reason / n, "values_f1": f1, "channel": channel / n, "follow_up": follow / n}


def _check(path: Path) -> None:
    metrics = _metrics(_load(path))
    print(f"{path.name}: " + ", ".join(f"{k}={v:.3f}" for k, v in metrics.items()))
    assert metrics["reason"] >= REASON_MIN, metrics
    assert metrics["values_f1"] >= VALUES_F1_MIN, metrics
    assert metrics["channel"] >= CHANNEL_MIN, metrics
    assert metrics["follow_up"] >= FOLLOW_UP_MIN, metrics


def test_dev_set_meets_targets() -> None:
    _check(DEV_FILE)


def test_holdout_set_meets_targets() -> None:
    rows = _load(HOLDOUT_FILE)
    assert len(rows) >= 40
    _check(HOLDOUT_FILE)


def test_fresh_set_meets_targets() -> None:
    _check(FRESH_FILE)


@pytest.mark.parametrize("path", BLIND_FILES, ids=lambda path: path.stem)
def test_blind_sets_meet_targets(path: Path) -> None:
    assert len(_load(path)) >= 100
    _check(path)


def test_paraphrase_set_meets_targets() -> None:
    rows = _load(PARAPHRASE_FILE)
    assert len(rows) >= 80
    assert len({row["text"] for row in rows}) == len(rows)
    _check(PARAPHRASE_FILE)


def test_fresh_set_covers_the_taxonomy() -> None:
    rows = _load(FRESH_FILE)
    assert len(rows) >= 150
    reasons = {row["reason"] for row in rows}
    assert reasons == REASONS | {None}  # None is "unknown": no cue in the note
    assert set().union(*(row["values"] for row in rows)) == VALUES
    assert {row["channel"] for row in rows} == CHANNELS | {None}
    with_date = [row for row in rows if row["follow_up_on"]]
    assert len(with_date) >= 60 and len(rows) - len(with_date) >= 60
    assert len({row["text"] for row in rows}) == len(rows)


def test_follow_up_date_alone_reads_what_analyze_note_reads() -> None:
    """The queue asks only for the date; it must be the very date the full reading gives."""
    for path in [DEV_FILE, HOLDOUT_FILE, FRESH_FILE, *BLIND_FILES]:
        for row in _load(path):
            today = datetime.date.fromisoformat(row["today"])
            assert follow_up_date(row["text"], today=today) == analyze_note(
                row["text"], today=today).follow_up_on, row["text"]
