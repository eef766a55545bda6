"""Settings of the e-mail channel, per tenant.

Labels and descriptions are shown on the plugin's settings page, in the
reader's language.
"""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from plugins.providers import webhook_secret_field


class EmailSettingsSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    host = fields.String(
        required=True, validate=validate.Length(min=1, max=253),
        metadata={"label": {"en": "SMTP server", "zh-CN": "SMTP 服务器"},
                  "description": {"en": "Host name or address, e.g. smtp.example.com.",
                                  "zh-CN": "主机名或地址，例如 smtp.example.com。"}},
    )
    port = fields.Integer(
        load_default=587, validate=validate.Range(min=1, max=65535),
        metadata={"label": {"en": "Port", "zh-CN": "端口"},
                  "description": {"en": "587 for STARTTLS, 465 for TLS.",
                                  "zh-CN": "STARTTLS 通常为 587，TLS 为 465。"}},
    )
    sender = fields.Email(
        required=True,
        metadata={"label": {"en": "Sender address", "zh-CN": "发件地址"},
                  "description": {"en": "Candidates see and reply to this address.",
                                  "zh-CN": "候选人看到并回复的地址。"}},
    )
    sender_name = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=100),
        metadata={"label": {"en": "Sender name", "zh-CN": "发件人名称"},
                  "description": {"en": "Shown beside the address, e.g. Acme Talent.",
                                  "zh-CN": "显示在地址旁，例如 Acme 人才团队。"}},
    )
    security = fields.String(
        load_default="starttls", validate=validate.OneOf(["starttls", "tls", "none"]),
        metadata={"label": {"en": "Connection security", "zh-CN": "连接加密"},
                  "choice_labels": {
                      "starttls": {"en": "STARTTLS", "zh-CN": "STARTTLS"},
                      "tls": {"en": "TLS from the start", "zh-CN": "全程 TLS"},
                      "none": {"en": "None (local test servers only)",
                               "zh-CN": "不加密（仅限本地测试服务器）"}}},
    )
    username = fields.String(
        load_default=None, allow_none=True,
        metadata={"label": {"en": "User name", "zh-CN": "用户名"}},
    )
    password = fields.String(
        load_default=None, allow_none=True,
        metadata={"secret": True, "label": {"en": "Password", "zh-CN": "密码"}},
    )
    timeout_seconds = fields.Float(
        load_default=4.0, validate=validate.Range(min=1, max=60),
        metadata={"label": {"en": "Time-out (seconds)", "zh-CN": "超时（秒）"},
                  "description": {
                      "en": "Keep it below the plugin time-out (5 s by default), so a slow "
                            "server never leaves a send half done.",
                      "zh-CN": "请低于插件超时（默认 5 秒），以免慢速服务器留下未完成的发送。"}},
    )
    webhook_secret = webhook_secret_field()
