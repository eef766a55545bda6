"""WeChat channel through WeCom (企业微信) application messages, with the encrypted callback."""

from plugins.channel_wechat.plugin import (
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
