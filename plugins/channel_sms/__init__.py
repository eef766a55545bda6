"""SMS channel over a generic HTTP SMS provider API, with signed delivery reports."""

from plugins.channel_sms.plugin import (
    saas_channel_send,
    saas_channel_send_batch,
    saas_channel_webhook,
    saas_plugin_health_check,
    saas_plugin_manifest,
)

__all__ = [
    "saas_channel_send",
    "saas_channel_send_batch",
    "saas_channel_webhook",
    "saas_plugin_health_check",
    "saas_plugin_manifest",
]
