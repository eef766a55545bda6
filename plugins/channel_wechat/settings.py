"""Settings of the WeCom channel, per tenant (from the WeCom admin console)."""

from __future__ import annotations

import base64
import binascii

import marshmallow as ma
from flask_babel import gettext as _
from marshmallow import ValidationError, fields, validate

from plugins.providers import (
    allowed_hosts_field,
    base_url_field,
    timeout_field,
    webhook_secret_field,
)


def _check_aes_key(value: str) -> None:
    """An EncodingAESKey is 43 base64 characters that decode (with "=") to 32 bytes."""
    try:
        ok = len(value) == 43 and len(base64.b64decode(value + "=", validate=True)) == 32
    except (binascii.Error, ValueError):
        ok = False
    if not ok:
        raise ValidationError(_("An EncodingAESKey is 43 letters and digits, as WeCom shows it."))


class WeComSettingsSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    base_url = base_url_field("https://qyapi.weixin.qq.com")
    corp_id = fields.String(
        required=True, validate=validate.Length(min=1, max=64),
        metadata={"label": {"en": "Corp ID", "zh-CN": "企业 ID（CorpID）"}},
    )
    corp_secret = fields.String(
        required=True, validate=validate.Length(min=1, max=128),
        metadata={"secret": True,
                  "label": {"en": "Application secret", "zh-CN": "应用 Secret"}},
    )
    agent_id = fields.Integer(
        required=True, validate=validate.Range(min=1),
        metadata={"label": {"en": "Application AgentId", "zh-CN": "应用 AgentId"}},
    )
    callback_token = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(min=1, max=64),
        metadata={"secret": True,
                  "label": {"en": "Callback token", "zh-CN": "回调 Token"},
                  "description": {
                      "en": "From the application's “receive messages” settings in WeCom.",
                      "zh-CN": "来自企业微信应用的“接收消息”设置。"}},
    )
    callback_aes_key = fields.String(
        load_default=None, allow_none=True, validate=_check_aes_key,
        metadata={"secret": True,
                  "label": {"en": "Callback EncodingAESKey",
                            "zh-CN": "回调 EncodingAESKey"}},
    )
    webhook_secret = webhook_secret_field()
    allowed_hosts = allowed_hosts_field()
    timeout_seconds = timeout_field()
