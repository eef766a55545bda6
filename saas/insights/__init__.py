"""Rule-based insight extraction from recruiter notes (zh-CN and English)."""

from saas.insights.analyzer import analyze_note, follow_up_date
from saas.insights.note_insight import NoteInsight

__all__ = ["NoteInsight", "analyze_note", "follow_up_date"]
