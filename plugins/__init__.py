"""First-party Rekindle plugins, registered through the ``saas.plugins`` entry points."""
