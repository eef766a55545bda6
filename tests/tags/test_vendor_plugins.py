"""``saas_extract_insights``: a vendor plugin refines the built-in; a broken one is contained."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask

from saas.app import create_app
from saas.extensions import db
from saas.hooks import InsightResult, PluginManifest, hookimpl
from saas.hooks.models import PluginSetting
from saas.insights.service import merge_insights
from saas.tenancy.context import tenant_context
from saas.tenancy.models import TenantInfo
from tests.conftest import app_config
from tests.factories import TenantFixture, make_tenant
from tests.tags.helpers import candidate_row, make_candidate, record_note, tags

RELEASE = threading.Event()


class RefiningVendor:
    """Knows pay talk better: adds a value and is surer of another reason."""

    @hookimpl
    def saas_plugin_manifest(self) -> PluginManifest:
        return PluginManifest(name="insights_vendor", title="Vendor", kind="insights",
                              version="1", vendor="Acme")

    @hookimpl
    def saas_extract_insights(self, tenant: TenantInfo, text: str, today: dt.date,
                              locale: str | None) -> InsightResult | None:
        if "项目" not in text:
            return None
        return InsightResult(reason="compensation_question", reason_confidence=0.99,
                             values={"compensation": 0.7, "flexibility": 0.95},
                             follow_up_on=today + dt.timedelta(days=3),
                             follow_up_confidence=0.1)


class BrokenVendor:
    @hookimpl
    def saas_plugin_manifest(self) -> PluginManifest:
        return PluginManifest(name="insights_broken", title="Broken", kind="insights",
                              version="1", builtin=True)

    @hookimpl
    def saas_extract_insights(self, tenant: TenantInfo, text: str, today: dt.date,
                              locale: str | None) -> InsightResult:
        raise RuntimeError("vendor bug")


class HangingVendor:
    @hookimpl
    def saas_plugin_manifest(self) -> PluginManifest:
        return PluginManifest(name="insights_hanging", title="Hangs", kind="insights",
                              version="1", builtin=True)

    @hookimpl
    def saas_extract_insights(self, tenant: TenantInfo, text: str, today: dt.date,
                              locale: str | None) -> InsightResult:
        RELEASE.wait(30)
        return InsightResult(reason="health", reason_confidence=1.0)


@pytest.fixture(scope="module")
def vendor_app(database_urls: tuple[str, str]) -> Iterator[Flask]:
    application = create_app(
        app_config(database_urls, PLUGIN_HOOK_TIMEOUT=0.5),
        extra_plugins=[("insights_vendor", RefiningVendor()),
                       ("insights_broken", BrokenVendor()),
                       ("insights_hanging", HangingVendor())],
    )
    yield application
    RELEASE.set()


def _set_plugins(app: Flask, tenant: TenantFixture, **enabled: bool) -> None:
    with app.app_context(), tenant_context(tenant.id):
        for name, on in enabled.items():
            db.session.add(PluginSetting(plugin_name=name, enabled=on, settings={}))
        db.session.commit()


def test_a_vendor_refines_the_builtin_and_broken_ones_are_contained(
    vendor_app: Flask,
) -> None:
    tenant = make_tenant(vendor_app, "vendor", roles=("recruiter",))
    _set_plugins(vendor_app, tenant, insights_vendor=True)
    cid = make_candidate(vendor_app, tenant)
    record_note(vendor_app, tenant, cid)
    found = tags(vendor_app, tenant, cid)
    # The vendor is surer of the reason; values are united with the highest confidence.
    assert [k for k in found if k[0] == "reason"] == [("reason", "compensation_question")]
    assert found[("value", "compensation")].confidence == 0.7
    assert found[("value", "flexibility")].confidence == 0.95
    assert ("value", "team_culture") in found and ("channel", "wechat") in found
    # The built-in is surer of the date.
    assert candidate_row(vendor_app, tenant, cid).next_follow_up_on == dt.date(2025, 11, 12)
    with vendor_app.app_context(), tenant_context(tenant.id):
        rows = {r.plugin_name: r for r in db.session.scalars(sa.select(PluginSetting))}
        assert rows["insights_broken"].failure_count == 1
        assert "vendor bug" in (rows["insights_broken"].last_failure or "")
        assert rows["insights_hanging"].failure_count == 1


def test_turning_the_builtin_off_replaces_it(vendor_app: Flask) -> None:
    tenant = make_tenant(vendor_app, "replace", roles=("recruiter",))
    _set_plugins(vendor_app, tenant, insights_rules=False, insights_vendor=True,
                 insights_broken=False, insights_hanging=False)
    cid = make_candidate(vendor_app, tenant)
    record_note(vendor_app, tenant, cid)
    assert set(tags(vendor_app, tenant, cid)) == {
        ("reason", "compensation_question"), ("value", "compensation"),
        ("value", "flexibility")}
    assert candidate_row(vendor_app, tenant, cid).preferred_channel is None


def test_merge_drops_unknown_codes_and_the_unknown_reason() -> None:
    merged = merge_insights([
        InsightResult(reason="unknown", reason_confidence=1.0, values={"yachts": 1.0},
                      channel="pigeon", channel_confidence=1.0),
        InsightResult(reason="health", reason_confidence=0.4, values={"family": 0.5}),
    ])
    assert (merged.reason, merged.channel, merged.values) == ("health", None, {"family": 0.5})
