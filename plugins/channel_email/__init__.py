"""E-mail channel over SMTP (STARTTLS or TLS, with authentication)."""

from plugins.channel_email.plugin import (
    saas_plugin_health_check,
    saas_plugin_manifest,
)

__all__ = ["saas_plugin_health_check", "saas_plugin_manifest"]
