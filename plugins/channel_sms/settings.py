"""Settings of the SMS channel, per tenant."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from plugins.providers import (
    allowed_hosts_field,
    base_url_field,
    timeout_field,
    webhook_secret_field,
)


class SmsSettingsSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    base_url = base_url_field("https://sms.example.com")
    api_key = fields.String(
        required=True, validate=validate.Length(min=1, max=200),
        metadata={"secret": True, "label": {"en": "API key", "zh-CN": "API 密钥"}},
    )
    sender_id = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=20),
        metadata={"label": {"en": "Sender ID", "zh-CN": "发送方号码或签名"},
                  "description": {
                      "en": "The number or name candidates see; empty for the provider's "
                            "default.",
                      "zh-CN": "候选人看到的号码或名称；留空则使用服务商默认值。"}},
    )
    report_signing_secret = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=200),
        metadata={"secret": True,
                  "label": {"en": "Delivery report signing secret",
                            "zh-CN": "送达回执签名密钥"},
                  "description": {
                      "en": "The secret the provider signs its callbacks with; empty when it "
                            "signs them with the API key.",
                      "zh-CN": "服务商为回调签名所用的密钥；若使用 API 密钥签名则留空。"}},
    )
    webhook_secret = webhook_secret_field()
    allowed_hosts = allowed_hosts_field()
    timeout_seconds = timeout_field()
