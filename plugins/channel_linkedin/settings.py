"""Settings of the LinkedIn channel, per tenant."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from plugins.providers import (
    allowed_hosts_field,
    base_url_field,
    timeout_field,
    webhook_secret_field,
)


class LinkedInSettingsSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    base_url = base_url_field("https://messaging.example.com")
    access_token = fields.String(
        required=True, validate=validate.Length(min=1, max=2000),
        metadata={"secret": True,
                  "label": {"en": "OAuth access token", "zh-CN": "OAuth 访问令牌"},
                  "description": {"en": "Sent as a bearer token with every request.",
                                  "zh-CN": "每次请求都以 Bearer 令牌发送。"}},
    )
    signing_secret = fields.String(
        required=True, validate=validate.Length(min=1, max=200),
        metadata={"secret": True,
                  "label": {"en": "Callback signing secret", "zh-CN": "回调签名密钥"},
                  "description": {
                      "en": "The provider signs reply callbacks with it (X-Li-Signature).",
                      "zh-CN": "服务商用它为回复回调签名（X-Li-Signature）。"}},
    )
    webhook_secret = webhook_secret_field()
    allowed_hosts = allowed_hosts_field()
    timeout_seconds = timeout_field()
