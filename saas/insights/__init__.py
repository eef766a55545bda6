"""Rule-based insight extraction from recruiter notes (zh-CN and English)."""

from saas.insights.analyzer import analyze_note
from saas.insights.note_insight import NoteInsight

__all__ = ["NoteInsight", "analyze_note"]
