"""The channel plugins inside Rekindle: entry points, settings through the API and the
settings page, health checks, and sending through the plugin host."""

from __future__ import annotations

import pytest
from flask import Flask

from saas.extensions import db
from saas.hooks import OutgoingMessage
from saas.hooks.manager import call_optional, plugin_host
from saas.hooks.settings import plugin_settings
from saas.tenancy.context import tenant_context
from saas.tenancy.models import Tenant
from tests.factories import TenantFixture, login
from tests.plugins.standins import SmsStandIn, WeComStandIn

CHANNELS = ("channel_email", "channel_sms", "channel_wechat", "channel_linkedin")


def test_every_channel_plugin_is_installed(app: Flask) -> None:
    with app.app_context():
        host = plugin_host()
        for name in CHANNELS:
            manifest = host.manifest(name)
            assert manifest.kind == "channel" and not manifest.builtin
            fields = manifest.settings_schema().fields  # type: ignore[misc]
            assert fields["webhook_secret"].metadata["secret"] is True
            for field in fields.values():
                label = field.metadata.get("label")
                assert label is None or set(label) == {"en", "zh-CN"}, (name, field.name)
        for hook in ("saas_channel_send", "saas_channel_webhook", "saas_plugin_health_check"):
            assert set(CHANNELS) <= {name for name, _ in host.implementations(hook)}


def test_sms_configured_checked_and_sending_through_the_host(
        app: Flask, tenant_a: TenantFixture, sms: SmsStandIn) -> None:
    client = app.test_client()
    url = "/api/v1/plugins/channel_sms"
    saved = client.put(url, headers=tenant_a.headers(), json={"enabled": True, "settings": {
        "base_url": sms.base_url, "api_key": sms.api_key, "allowed_hosts": "127.0.0.1",
        "webhook_secret": "w" * 32}})
    assert saved.status_code == 200, saved.get_json()
    body = saved.get_json()
    assert body["settings"]["api_key"] == {"set": True}
    assert sms.api_key not in saved.get_data(as_text=True)
    health = client.post(f"{url}/health", headers=tenant_a.headers())
    assert health.get_json()["ok"] is True
    with app.app_context(), tenant_context(tenant_a.id):
        tenant = db.session.get(Tenant, tenant_a.id)
        assert tenant is not None
        message = OutgoingMessage(message_id="host-1", channel="sms", to="+8613800138000",
                                  body="hello")
        (outcome,) = call_optional("saas_channel_send", tenant.info(), only="channel_sms",
                                   message=message, settings=plugin_settings("channel_sms"))
        db.session.rollback()
    assert outcome.ok and outcome.result.status == "sent"
    assert [d.reference for d in sms.deliveries] == ["host-1"]


@pytest.mark.parametrize(("settings", "field"), [
    ({"base_url": "not a url", "api_key": "k"}, "base_url"),
    ({"base_url": "https://sms.example.com", "api_key": "k", "allowed_hosts": "bad host!"},
     "allowed_hosts"),
    ({"base_url": "https://sms.example.com"}, "api_key"),
    ({"base_url": "https://sms.example.com", "api_key": "k", "webhook_secret": "short"},
     "webhook_secret"),
])
def test_bad_sms_settings_are_a_422_naming_the_field(
        app: Flask, tenant_a: TenantFixture, settings: dict[str, str], field: str) -> None:
    client = app.test_client()
    response = client.put("/api/v1/plugins/channel_sms", headers=tenant_a.headers(),
                          json={"enabled": True, "settings": settings})
    assert response.status_code == 422
    assert field in response.get_data(as_text=True)
    with app.app_context(), tenant_context(tenant_a.id):
        assert plugin_settings("channel_sms") == {}  # nothing stored half-way


def test_settings_pages_render_for_each_channel(app: Flask, tenant_a: TenantFixture) -> None:
    client = app.test_client()
    login(client, tenant_a)
    for name in CHANNELS:
        page = client.get(f"/settings/plugins/{name}")
        assert page.status_code == 200, name
        assert 'type="password"' in page.get_data(as_text=True)


def test_wecom_health_through_the_api(app: Flask, tenant_a: TenantFixture,
                                      wecom: WeComStandIn) -> None:
    client = app.test_client()
    url = "/api/v1/plugins/channel_wechat"
    saved = client.put(url, headers=tenant_a.headers(), json={"enabled": True, "settings": {
        "base_url": wecom.base_url, "corp_id": wecom.corp_id, "corp_secret": "wrong",
        "agent_id": wecom.agent_id, "allowed_hosts": "127.0.0.1"}})
    assert saved.status_code == 200, saved.get_json()
    assert client.post(f"{url}/health", headers=tenant_a.headers()).get_json()["ok"] is False
    client.put(url, headers=tenant_a.headers(), json={"enabled": True, "settings": {
        "base_url": wecom.base_url, "corp_id": wecom.corp_id, "corp_secret": wecom.corp_secret,
        "agent_id": wecom.agent_id, "allowed_hosts": "127.0.0.1"}})
    assert client.post(f"{url}/health", headers=tenant_a.headers()).get_json()["ok"] is True
