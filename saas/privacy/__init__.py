"""Privacy: consent and contact rights, retention, access and erasure requests."""
