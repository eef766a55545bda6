"""Per-tenant backups: encrypted, integrity-checked archives, and their restore."""
