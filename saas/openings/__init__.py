"""Openings (jobs) and company change events: what changed since we last talked."""
