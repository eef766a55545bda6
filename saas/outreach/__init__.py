"""Outreach: templates, channel routing, the contact policy, the outbox and inbound messages."""
