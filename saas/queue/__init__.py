"""The re-engagement queue: who to contact now, and why."""
