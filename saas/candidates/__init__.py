"""Candidates: the profile, contact points and the timeline of interactions."""
