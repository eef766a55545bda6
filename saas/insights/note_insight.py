"""The result of reading one free-text recruiter note (see shared/TAXONOMY.md)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field


@dataclass(frozen=True)
class NoteInsight:
    """What a note says about a stalled candidate.

    ``reason`` is a TAXONOMY reason code, or ``None`` when the note has no cue at all.
    ``values`` are TAXONOMY value codes the candidate says matter to them.
    ``channel`` is the channel they *prefer* (not one merely mentioned).
    ``follow_up_on`` is the date the note says they will be ready, if any.
    ``confidence`` (0..1) is how sure the reason is; 0.0 when ``reason`` is ``None``.
    """

    reason: str | None = None
    values: frozenset[str] = field(default_factory=frozenset)
    channel: str | None = None
    follow_up_on: datetime.date | None = None
    confidence: float = 0.0
