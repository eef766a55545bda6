"""LinkedIn channel over an HTTP messaging API (OAuth bearer token, signed callbacks)."""

from plugins.channel_linkedin.plugin import (
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
