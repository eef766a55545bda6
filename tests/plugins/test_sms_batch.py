"""The SMS channel's batch send against the local SMS provider stand-in, called the way
the outbox calls it: through the plugin host, with the tenant's stored settings."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest
from flask import Flask

from plugins.channel_sms.plugin import BATCH_LIMIT
from saas.extensions import db
from saas.hooks import OutgoingMessage, SendResult
from saas.hooks.manager import call_optional
from saas.hooks.settings import configure_plugin, plugin_settings
from saas.tenancy.context import tenant_context
from saas.tenancy.models import Tenant
from tests.factories import TenantFixture
from tests.plugins.standins import SmsStandIn

BATCH = "/v1/messages/batch"
SendBatch = Callable[[Sequence[OutgoingMessage]], list[SendResult]]


@pytest.fixture()
def send_batch(app: Flask, tenant_a: TenantFixture, sms: SmsStandIn,
               monkeypatch: pytest.MonkeyPatch) -> Iterator[SendBatch]:
    """``saas_channel_send_batch`` of ``channel_sms`` for tenant A, set up for the stand-in."""
    # The production hook time-out (the test default, 1 s, is tight for 1,200 numbers).
    monkeypatch.setitem(app.config, "PLUGIN_HOOK_TIMEOUT", 5.0)
    with app.app_context(), tenant_context(tenant_a.id):
        configure_plugin("channel_sms", enabled=True, settings={
            "base_url": sms.base_url, "api_key": sms.api_key, "sender_id": "ACME",
            "allowed_hosts": "127.0.0.1", "timeout_seconds": 0.5})
        db.session.commit()
        tenant = db.session.get(Tenant, tenant_a.id)
        assert tenant is not None
        info = tenant.info()

        def send(messages: Sequence[OutgoingMessage]) -> list[SendResult]:
            (outcome,) = call_optional("saas_channel_send_batch", info, only="channel_sms",
                                       messages=list(messages),
                                       settings=plugin_settings("channel_sms"))
            assert outcome.ok, outcome.error
            results = list(outcome.result)
            assert len(results) == len(messages)
            return results

        yield send
        db.session.rollback()


def texts(count: int, *, prefix: str = "b") -> list[OutgoingMessage]:
    """``count`` messages to distinct valid mainland mobile numbers, ids ``{prefix}-1``…"""
    return [OutgoingMessage(message_id=f"{prefix}-{i}", channel="sms", to=f"+86138{i:08d}",
                            body=f"你好 {i}") for i in range(1, count + 1)]


def statuses(results: Sequence[SendResult]) -> list[str]:
    return [result.status for result in results]


def test_all_accepted_with_their_ids_in_order(send_batch: SendBatch, sms: SmsStandIn) -> None:
    messages = texts(3)
    results = send_batch(messages)
    assert statuses(results) == ["sent"] * 3
    assert [r.provider_message_id for r in results] == [d.id for d in sms.deliveries]
    assert [d.reference for d in sms.deliveries] == ["b-1", "b-2", "b-3"]
    (call,) = sms.calls(BATCH)
    assert call.headers["x-api-key"] == sms.api_key
    assert call.json()["messages"][0] == {"to": "+8613800000001", "text": "你好 1",
                                          "from": "ACME", "client_reference": "b-1"}
    assert sms.calls("/v1/messages") == []


def test_an_invalid_number_fails_alone_and_is_not_sent(send_batch: SendBatch,
                                                       sms: SmsStandIn) -> None:
    (first,) = texts(1)
    messages = [first, OutgoingMessage(message_id="bad", channel="sms", to="+999", body="x"),
                OutgoingMessage(message_id="local", channel="sms", to="138 0013 8000",
                                body="y")]
    results = send_batch(messages)
    assert statuses(results) == ["sent", "failed", "sent"]
    assert results[1].provider_message_id is None and "phone number" in results[1].detail
    (call,) = sms.calls(BATCH)
    assert [m["client_reference"] for m in call.json()["messages"]] == ["b-1", "local"]
    assert [d.to for d in sms.deliveries] == ["+8613800000001", "+8613800138000"]


def test_the_same_batch_again_delivers_nothing_twice(send_batch: SendBatch,
                                                     sms: SmsStandIn) -> None:
    first = send_batch(texts(4))
    again = send_batch(texts(4))
    assert statuses(again) == ["sent"] * 4
    assert [r.provider_message_id for r in again] == [r.provider_message_id for r in first]
    assert len(sms.deliveries) == 4 and len(sms.calls(BATCH)) == 2


def test_more_than_a_request_holds_goes_in_requests_of_500(send_batch: SendBatch,
                                                           sms: SmsStandIn) -> None:
    count = 2 * BATCH_LIMIT + 201
    results = send_batch(texts(count))
    assert statuses(results) == ["sent"] * count
    assert [len(call.json()["messages"]) for call in sms.calls(BATCH)] == [500, 500, 201]
    assert [r.provider_message_id for r in results] == [d.id for d in sms.deliveries]
    assert [d.reference for d in sms.deliveries] == [f"b-{i}" for i in range(1, count + 1)]


def test_a_failed_request_spares_the_ones_after_it(send_batch: SendBatch,
                                                   sms: SmsStandIn) -> None:
    sms.time_out_next(1, seconds=0, path=BATCH)  # the first request is answered normally,
    sms.fail_next(1, 503, path=BATCH)  # the second is a 503
    results = send_batch(texts(2 * BATCH_LIMIT + 1))
    assert statuses(results) == ["sent"] * BATCH_LIMIT + ["retry"] * (BATCH_LIMIT + 1)
    assert len(sms.calls(BATCH)) == 2  # the third request was not made
    assert len(sms.deliveries) == BATCH_LIMIT


def test_429_is_a_retry_after_for_every_message_and_holds_the_next_batch(
        send_batch: SendBatch, sms: SmsStandIn) -> None:
    sms.fail_next(1, 429, retry_after=1, path=BATCH)
    limited = send_batch(texts(3))
    assert [(r.status, r.retry_after) for r in limited] == [("retry", 1.0)] * 3
    held = send_batch(texts(2, prefix="c"))
    assert statuses(held) == ["retry", "retry"] and 0 < (held[0].retry_after or 0) <= 1
    assert len(sms.calls(BATCH)) == 1  # the provider was left alone
    time.sleep(1.05)
    assert statuses(send_batch(texts(3))) == ["sent"] * 3
    assert len(sms.deliveries) == 3


def test_500_is_a_retry_for_every_message_and_the_retry_delivers_once(
        send_batch: SendBatch, sms: SmsStandIn) -> None:
    sms.fail_next(1, 500, path=BATCH)
    failed = send_batch(texts(3))
    assert statuses(failed) == ["retry"] * 3 and "500" in failed[0].detail
    assert statuses(send_batch(texts(3))) == ["sent"] * 3
    assert len(sms.deliveries) == 3


def test_a_time_out_is_a_retry_and_the_late_delivery_is_not_repeated(
        send_batch: SendBatch, sms: SmsStandIn) -> None:
    sms.time_out_next(1, seconds=1.0, path=BATCH)
    slow = send_batch(texts(3))
    assert statuses(slow) == ["retry"] * 3 and "timeout" in slow[0].detail
    time.sleep(1.0)  # the provider finishes the first request after we gave up
    retried = send_batch(texts(3))
    assert statuses(retried) == ["sent"] * 3
    assert [r.provider_message_id for r in retried] == [d.id for d in sms.deliveries]
    assert len(sms.deliveries) == 3


def accepted(reference: str, message_id: str = "sms-900") -> dict[str, Any]:
    return {"client_reference": reference, "id": message_id, "status": "queued"}


@pytest.mark.parametrize(("answer", "expected"), [
    ({"results": [accepted("b-1")]}, ["retry", "retry"]),  # one result short
    ({"results": [accepted("b-1"), accepted("b-2"), accepted("b-3")]}, ["retry", "retry"]),
    ({"results": [accepted("b-2"), accepted("b-1")]}, ["retry", "retry"]),  # out of order
    ({"results": [accepted("b-1"), {"client_reference": "b-2", "status": "queued"}]},
     ["sent", "retry"]),  # no id
    ({"results": [accepted("b-1"), "queued"]}, ["sent", "retry"]),
    ({"results": "ok"}, ["retry", "retry"]),
    ({"ok": True}, ["retry", "retry"]),
    ([accepted("b-1"), accepted("b-2")], ["retry", "retry"]),
])
def test_an_answer_out_of_line_is_a_retry_and_sending_again_is_safe(
        send_batch: SendBatch, sms: SmsStandIn, answer: Any, expected: list[str]) -> None:
    sms.fail_next(1, 200, payload=answer, path=BATCH)
    results = send_batch(texts(2))
    assert statuses(results) == expected
    assert all("answer" in r.detail for r in results if r.status == "retry")
    assert sms.deliveries == []  # the canned answer stood in for the provider
    again = send_batch(texts(2))
    again_twice = send_batch(texts(2))
    assert statuses(again) == statuses(again_twice) == ["sent", "sent"]
    assert len(sms.deliveries) == 2


def test_a_message_the_provider_refuses_is_failed(send_batch: SendBatch,
                                                  sms: SmsStandIn) -> None:
    sms.fail_next(1, 200, path=BATCH, payload={"results": [
        accepted("b-1"),
        {"client_reference": "b-2", "error": {"code": "invalid_number", "message": "no such"}},
        accepted("b-3", "sms-901") | {"status": "rejected"},
    ]})
    results = send_batch(texts(3))
    assert statuses(results) == ["sent", "failed", "failed"]
    assert results[1].detail == "refused: invalid_number: no such"
    assert results[2].provider_message_id == "sms-901"


def test_refused_credentials_wait(send_batch: SendBatch, sms: SmsStandIn) -> None:
    sms.fail_next(1, 401, path=BATCH)
    results = send_batch(texts(2))
    assert [(r.status, r.retry_after) for r in results] == [("retry", 300.0)] * 2


def test_the_standin_batch_endpoint(sms: SmsStandIn) -> None:
    """Checked over HTTP directly: per-message refusals, idempotency, malformed requests."""
    headers = {"X-Api-Key": sms.api_key, "Content-Type": "application/json"}

    def post(payload: Any) -> tuple[int, Any]:
        status, body = sms.post(sms.base_url + BATCH, headers, json.dumps(payload).encode())
        return status, json.loads(body)

    status, answer = post({"messages": [
        {"to": "+8613800138000", "text": "a", "client_reference": "r-1"},
        {"to": "12345", "text": "b", "client_reference": "r-2"},
        {"to": "+8613800138000", "text": "a", "client_reference": "r-1"},
    ]})
    assert status == 200
    ok, refused, repeated = answer["results"]
    assert ok == {"client_reference": "r-1", "id": "sms-1", "status": "queued"}
    assert refused["client_reference"] == "r-2" and refused["error"]["code"] == "invalid_number"
    assert repeated == ok
    assert len(sms.deliveries) == 1
    too_many = [{"to": "+8613800138000", "text": "x"}] * 501
    malformed: list[Any] = [{"messages": []}, {"messages": too_many},
                            {"messages": [{"to": "+86138"}]}, {"nothing": 1}, [1]]
    for bad in malformed:
        assert post(bad)[0] == 400
    assert len(sms.deliveries) == 1
