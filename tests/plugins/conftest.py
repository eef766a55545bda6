"""Fixtures for the channel plugin tests: a fresh tenant and the provider stand-ins."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from saas.tenancy.models import TenantInfo
from tests.plugins.standins import LinkedInStandIn, SmsStandIn, WeComStandIn


@pytest.fixture()
def tenant() -> TenantInfo:
    """A new tenant each test, so cached tokens and rate-limit cool-downs never leak."""
    return TenantInfo(id=uuid.uuid4(), slug="acme", name="Acme", locale="zh-CN",
                      timezone="Asia/Shanghai", plan="standard")


@pytest.fixture()
def sms() -> Iterator[SmsStandIn]:
    with SmsStandIn(api_key="sms-key-123") as standin:
        yield standin


@pytest.fixture()
def linkedin() -> Iterator[LinkedInStandIn]:
    with LinkedInStandIn() as standin:
        yield standin


@pytest.fixture()
def wecom() -> Iterator[WeComStandIn]:
    with WeComStandIn() as standin:
        yield standin
