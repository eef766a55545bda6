"""E-mail channel over SMTP (STARTTLS or TLS, with authentication), with inbound replies."""

from plugins.channel_email.plugin import (
    saas_channel_send,
    saas_channel_webhook,
    saas_plugin_health_check,
    saas_plugin_manifest,
)

__all__ = [
    "saas_channel_send",
    "saas_channel_webhook",
    "saas_plugin_health_check",
    "saas_plugin_manifest",
]
