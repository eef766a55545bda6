"""Campaigns: multi-step outreach over a segment, with a holdout to measure uplift."""
