"""Starter templates: one TOML file per template (name, purpose, channel, locale,
subject for email, body), installed with ``flask templates install-starters``.

Versions of one message share a name across channels and languages, so the
outbox can pick the one for the candidate's channel and language.
"""
