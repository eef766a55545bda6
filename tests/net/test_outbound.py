"""The SSRF-safe outbound client, against local HTTP servers (nothing leaves 127.0.0.1).

Every refused destination is refused before a connection is made, so the
addresses below (metadata service, private ranges) are never contacted.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from flask import Flask

from saas.extensions import db
from saas.hooks.models import PluginSetting
from saas.net import (
    AllowedHostError,
    Limits,
    OutboundRefused,
    OutboundUnavailable,
    check_allowed_host,
    outbound_client,
    parse_allowed_hosts,
)
from saas.tenancy.context import tenant_context
from tests.factories import TenantFixture
from tests.net.servers import LocalServer, local_server

FAST = Limits(connect_timeout=2, read_timeout=2, total_timeout=5,
              max_response_bytes=4096, max_redirects=3)


@pytest.fixture()
def inside() -> Iterator[LocalServer]:
    with local_server() as server:
        yield server


@pytest.fixture()
def other_inside() -> Iterator[LocalServer]:
    with local_server() as server:
        yield server


def refusal(call: object, *args: object, **kwargs: object) -> OutboundRefused:
    with pytest.raises(OutboundRefused) as caught:
        call(*args, **kwargs)  # type: ignore[operator]
    return caught.value


def test_loopback_is_refused_by_default_and_allowed_when_listed(inside: LocalServer) -> None:
    refused = refusal(outbound_client("erp_test", [], limits=FAST).get, inside.url("/ok"))
    assert refused.reason == "internal_address"
    assert "127.0.0.1" in str(refused) and "allowed_hosts" in str(refused)
    assert inside.seen == []  # refused before connecting
    for allowed in ("127.0.0.1", "127.0.0.0/8", "127.0.0.1, 10.0.0.5"):
        response = outbound_client("erp_test", allowed, limits=FAST).get(inside.url("/ok"))
        assert response.status == 200
        assert response.text == "hello from inside"
        assert response.headers["content-type"] == "text/plain"
    assert len(inside.seen) == 3


def test_names_resolving_to_internal_addresses_are_refused(inside: LocalServer) -> None:
    url = inside.url("/ok", host="localhost")
    assert refusal(outbound_client("erp_test", [], limits=FAST).get, url).reason == \
        "internal_address"
    assert inside.seen == []
    response = outbound_client("erp_test", ["LOCALHOST."], limits=FAST).get(url)
    assert response.status == 200
    # The name is kept for Host while the connection goes to the address checked.
    assert inside.seen[-1].headers["host"] == f"localhost:{inside.port}"


@pytest.mark.parametrize("url", [
    "http://169.254.169.254/latest/meta-data/iam/",
    "http://10.0.0.1/", "http://172.16.0.1/", "http://192.168.1.1/", "http://100.64.0.1/",
    "http://0.0.0.0:8080/", "http://127.0.0.2/", "http://224.0.0.1/", "http://240.0.0.1/",
    "http://255.255.255.255/", "http://2130706433/", "http://0x7f.1/",
    "http://[::1]/", "http://[::]/", "http://[fe80::1]/", "http://[fc00::1]/",
    "http://[ff02::1]/", "http://[::ffff:127.0.0.1]/", "http://[::ffff:169.254.169.254]/",
    "http://[64:ff9b::a9fe:a9fe]/", "http://[2002:a00:1::1]/",
    "https://169.254.169.254/",
])
def test_internal_addresses_in_every_spelling_are_refused(url: str) -> None:
    assert refusal(outbound_client("erp_test", [], limits=FAST).get, url).reason == \
        "internal_address"


@pytest.mark.parametrize(("url", "reason"), [
    ("file:///etc/passwd", "scheme"),
    ("gopher://127.0.0.1:70/_x", "scheme"),
    ("ftp://example.com/", "scheme"),
    ("//example.com/", "scheme"),
    ("http://user:secret@example.com/", "credentials_in_url"),
    ("http:///nohost", "bad_url"),
    ("http://example.com:99999/", "bad_url"),
])
def test_only_plain_http_and_https_urls(url: str, reason: str) -> None:
    assert refusal(outbound_client("erp_test", [], limits=FAST).get, url).reason == reason


def test_other_methods_and_header_injection_are_refused(inside: LocalServer) -> None:
    c = outbound_client("erp_test", ["127.0.0.1"], limits=FAST)
    assert refusal(c.request, "CONNECT", inside.url("/ok")).reason == "method"
    injected = refusal(c.get, inside.url("/ok"), headers={"X-Test": "a\r\nHost: evil"})
    assert injected.reason == "bad_request"
    assert inside.seen == []


@pytest.mark.parametrize("target", [
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.1/admin",
    "http://127.0.0.2:{port}/ok",  # another loopback address: not the one allowlisted
    "http://[::ffff:10.0.0.1]/",
    "file:///etc/passwd",
])
def test_a_redirect_from_an_allowed_server_to_an_internal_one_is_refused(
    inside: LocalServer, target: str
) -> None:
    c = outbound_client("erp_test", ["127.0.0.1"], limits=FAST)
    url = inside.url("/redirect?to=" + quote(target.format(port=inside.port), safe=""))
    refused = refusal(c.get, url)
    assert refused.reason in ("internal_address", "scheme")
    assert [seen.path.split("?")[0] for seen in inside.seen] == ["/redirect"]


def test_a_redirect_to_a_host_not_in_the_allowlist_is_refused(inside: LocalServer) -> None:
    # "localhost" is allowed by name; the redirect names 127.0.0.1, which is not.
    c = outbound_client("erp_test", ["localhost"], limits=FAST)
    url = inside.url("/redirect?to=" + quote(inside.url("/ok"), safe=""), host="localhost")
    assert refusal(c.get, url).reason == "internal_address"
    assert len(inside.seen) == 1


def test_checked_redirects_are_followed_up_to_the_limit(
    inside: LocalServer, other_inside: LocalServer
) -> None:
    c = outbound_client("erp_test", ["127.0.0.1"], limits=FAST)
    followed = c.get(inside.url("/redirect?to=/ok"))
    assert followed.status == 200 and followed.url.endswith("/ok")
    assert refusal(c.get, inside.url("/loop")).reason == "too_many_redirects"
    assert len([s for s in inside.seen if s.path == "/loop"]) == FAST.max_redirects + 1
    # A POST answered with 303 continues as a GET without the body.
    after_post = c.post(inside.url("/redirect?status=303&to=/echo"), json={"a": 1})
    assert after_post.json()["method"] == "GET" and after_post.json()["body"] == ""
    # 307 keeps the method and body; credentials do not follow to another origin.
    elsewhere = quote(other_inside.url("/echo"), safe="")
    moved = c.post(inside.url(f"/redirect?status=307&to={elsewhere}"), json={"a": 1},
                   headers={"Authorization": "Bearer s3cret", "X-Trace": "t1"})
    echoed = moved.json()
    assert echoed["method"] == "POST" and echoed["body"] == '{"a": 1}'
    assert "authorization" not in echoed["headers"] and echoed["headers"]["x-trace"] == "t1"


def test_json_body_headers_and_defaults(inside: LocalServer) -> None:
    c = outbound_client("erp_test", ["127.0.0.1"], limits=FAST)
    response = c.request("PUT", inside.url("/echo?x=1"), json={"名字": "值"},
                         headers={"X-Api-Key": "k"})
    echoed = response.json()
    assert echoed["method"] == "PUT" and echoed["body"] == '{"名字": "值"}'
    assert echoed["headers"]["content-type"] == "application/json"
    assert echoed["headers"]["user-agent"] == "Rekindle-plugin/erp_test"
    assert echoed["headers"]["x-api-key"] == "k"
    assert inside.seen[-1].path == "/echo?x=1"
    head = c.request("HEAD", inside.url("/ok"))
    assert head.status == 200 and head.body == b""


def test_oversize_bodies_are_cut_off(inside: LocalServer) -> None:
    c = outbound_client("erp_test", ["127.0.0.1"], limits=FAST)
    assert c.get(inside.url("/big?size=4096")).body == b"x" * 4096
    declared = refusal(c.get, inside.url("/big?size=4097"))
    assert declared.reason == "response_too_large"
    streamed = refusal(c.get, inside.url("/stream?chunks=64"))  # 64 KiB, no Content-Length
    assert streamed.reason == "response_too_large"


def test_time_outs(inside: LocalServer) -> None:
    c = outbound_client("erp_test", ["127.0.0.1"], limits=FAST)
    with pytest.raises(OutboundUnavailable) as slow:
        c.get(inside.url("/slow?seconds=1.5"), timeout=0.3)
    assert slow.value.reason == "timeout"
    drip = Limits(connect_timeout=1, read_timeout=1, total_timeout=0.6,
                  max_response_bytes=4096, max_redirects=0)
    with pytest.raises(OutboundUnavailable) as whole:
        outbound_client("erp_test", ["127.0.0.1"], limits=drip).get(
            inside.url("/drip?every=0.05"))
    assert whole.value.reason == "timeout"


def test_https_is_verified_and_its_handshake_times_out(inside: LocalServer) -> None:
    c = outbound_client("erp_test", ["127.0.0.1"], limits=FAST)
    with pytest.raises(OutboundUnavailable) as plain:  # no TLS on the other side
        c.get(f"https://127.0.0.1:{inside.port}/ok")
    assert plain.value.reason == "tls_failed"
    with socket.socket() as silent:  # accepts TCP (backlog), never speaks
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        with pytest.raises(OutboundUnavailable) as mute:
            c.get(f"https://127.0.0.1:{silent.getsockname()[1]}/", timeout=0.3)
    assert mute.value.reason == "timeout"


def test_a_closed_port_is_a_connection_failure() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(OutboundUnavailable) as failed:
        outbound_client("erp_test", ["127.0.0.1"], limits=FAST).get(f"http://127.0.0.1:{port}/")
    assert failed.value.reason == "connection_failed"


def test_allowlist_entries_are_checked() -> None:
    assert parse_allowed_hosts("erp.corp, 10.0.0.0/24\nSMTP.corp.") == [
        "erp.corp", "10.0.0.0/24", "smtp.corp"]
    for good in ("erp.corp", "10.0.0.5", "10.0.0.0/24", "fd00::/8", "::1"):
        check_allowed_host(good)
    for bad in ("http://erp.corp", "erp corp", "10.0.0.0/33", "a..b", "-x.corp"):
        with pytest.raises(AllowedHostError):
            check_allowed_host(bad)
    refused = refusal(outbound_client, "erp_test", ["erp.corp", "http://x/"])
    assert refused.reason == "bad_allowlist" and "http://x/" in str(refused)


def test_the_allowlist_comes_from_the_tenant_plugin_settings(
    app: Flask, tenant_a: TenantFixture, inside: LocalServer
) -> None:
    with app.app_context(), tenant_context(tenant_a.id):
        refused = refusal(outbound_client("erp_test").get, inside.url("/ok"))
        assert refused.reason == "internal_address"
        db.session.add(PluginSetting(plugin_name="erp_test", enabled=True,
                                     settings={"allowed_hosts": "127.0.0.1"}))
        db.session.flush()
        assert outbound_client("erp_test").get(inside.url("/ok")).status == 200
        db.session.rollback()


def test_only_plugin_method_host_and_status_are_logged(
    inside: LocalServer, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        client_ = outbound_client("erp_test", ["127.0.0.1"], limits=FAST)
        client_.post(inside.url("/echo?email=li.lei@example.com"), json={"phone": "13800138000"})
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert f"erp_test POST http://127.0.0.1:{inside.port} -> 200" in text
    assert "li.lei" not in text and "13800138000" not in text
