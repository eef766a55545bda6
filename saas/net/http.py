"""An SSRF-safe HTTP client for plugins.

``outbound_client(plugin)`` gives a client that only speaks http and https,
resolves the host itself and refuses internal addresses (see
:mod:`saas.net.addresses`) unless the tenant's ``allowed_hosts`` setting for
that plugin names them, then connects to exactly the address it checked — no
second DNS lookup, so DNS rebinding cannot swap the target. Redirects are
followed by hand, at most ``OUTBOUND_MAX_REDIRECTS`` of them, each hop checked
like the first; a redirect from https to http is refused. Connect, read and
total time-outs apply, and a body above ``OUTBOUND_MAX_RESPONSE_BYTES`` is cut
off with an error.

Only the plugin, method, host and status are logged: paths and bodies may
carry personal data.
"""

from __future__ import annotations

import http.client
import ipaddress
import json as jsonlib
import logging
import socket
import ssl
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urljoin, urlsplit

from flask import current_app, has_app_context

from saas.net.addresses import AllowedHostError, Allowlist, IPAddress, is_internal

log = logging.getLogger(__name__)

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
REDIRECTS = frozenset({301, 302, 303, 307, 308})
DEFAULT_PORTS = {"http": 80, "https": 443}
# Headers that must not follow a redirect to another origin.
CREDENTIAL_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization"})
CHUNK = 64 * 1024
Timeout = float | tuple[float, float]


class OutboundError(Exception):
    """An outbound request did not give a response; ``reason`` is a stable code."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


class OutboundRefused(OutboundError):
    """Refused by policy: scheme, internal address, redirects, or response size.

    Reasons: ``bad_url``, ``scheme``, ``credentials_in_url``, ``method``,
    ``bad_request`` (a header or path with control characters), ``bad_allowlist``,
    ``internal_address``, ``insecure_redirect``, ``too_many_redirects``,
    ``response_too_large``.
    """


class OutboundUnavailable(OutboundError):
    """The network failed: ``unresolvable``, ``timeout``, ``connection_failed``,
    ``tls_failed`` or ``bad_response``."""


@dataclass(frozen=True)
class Response:
    status: int
    headers: Mapping[str, str]  # lower-case names
    body: bytes
    url: str

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return jsonlib.loads(self.body)


@dataclass(frozen=True)
class Limits:
    connect_timeout: float = 5.0
    read_timeout: float = 15.0
    total_timeout: float = 30.0
    max_response_bytes: int = 5 * 1024 * 1024
    max_redirects: int = 3

    @classmethod
    def from_config(cls) -> Limits:
        """The app's ``OUTBOUND_*`` settings (the defaults outside an app)."""
        if not has_app_context():
            return cls()
        config = current_app.config
        default = cls()
        return cls(
            connect_timeout=float(config.get("OUTBOUND_CONNECT_TIMEOUT", default.connect_timeout)),
            read_timeout=float(config.get("OUTBOUND_READ_TIMEOUT", default.read_timeout)),
            total_timeout=float(config.get("OUTBOUND_TOTAL_TIMEOUT", default.total_timeout)),
            max_response_bytes=int(
                config.get("OUTBOUND_MAX_RESPONSE_BYTES", default.max_response_bytes)),
            max_redirects=int(config.get("OUTBOUND_MAX_REDIRECTS", default.max_redirects)),
        )


@dataclass(frozen=True)
class _Target:
    url: str
    scheme: str
    host: str
    port: int
    path: str

    @property
    def origin(self) -> tuple[str, str, int]:
        return self.scheme, self.host, self.port

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if DEFAULT_PORTS[self.scheme] == self.port else f"{host}:{self.port}"


def _target(url: str) -> _Target:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise OutboundRefused("bad_url", str(exc)) from exc
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise OutboundRefused("scheme", f"only http and https, not {scheme or 'none'!r}")
    if parts.username is not None or parts.password is not None:
        raise OutboundRefused("credentials_in_url", "send credentials in headers")
    if not parts.hostname:
        raise OutboundRefused("bad_url", "no host")
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return _Target(url, scheme, parts.hostname.rstrip(".").lower(),
                   port or DEFAULT_PORTS[scheme], path)


class OutboundClient:
    """HTTP for one plugin of one tenant; see the module docstring for the rules."""

    def __init__(self, plugin: str, allowlist: Allowlist, limits: Limits) -> None:
        self.plugin = plugin
        self.allowlist = allowlist
        self.limits = limits

    def request(
        self,
        method: str,
        url: str,
        *,
        json: Any = None,
        data: bytes | str | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: Timeout | None = None,
    ) -> Response:
        """Send one request (following checked redirects); raises :class:`OutboundError`."""
        method = method.upper()
        if method not in METHODS:
            raise OutboundRefused("method", method)
        limits = self._limits(timeout)
        sent = {k.lower(): v for k, v in (headers or {}).items()}
        sent.setdefault("user-agent", f"Rekindle-plugin/{self.plugin}")
        sent.setdefault("accept-encoding", "identity")
        body = data.encode() if isinstance(data, str) else data
        if json is not None:
            body = jsonlib.dumps(json, ensure_ascii=False).encode()
            sent.setdefault("content-type", "application/json")
        deadline = time.monotonic() + limits.total_timeout
        target = _target(url)
        for hop in range(limits.max_redirects + 1):
            response = self._send(target, method, body, sent, limits, deadline)
            location = response.headers.get("location")
            if response.status not in REDIRECTS or not location:
                return response
            if hop == limits.max_redirects:
                raise OutboundRefused("too_many_redirects", f"more than {limits.max_redirects}")
            following = _target(urljoin(target.url, location))
            if target.scheme == "https" and following.scheme == "http":
                raise OutboundRefused("insecure_redirect", "https to http")
            if response.status == 303 or (response.status in (301, 302) and method == "POST"):
                method, body = ("HEAD" if method == "HEAD" else "GET"), None
                sent.pop("content-type", None)
            if following.origin != target.origin:
                sent = {k: v for k, v in sent.items() if k not in CREDENTIAL_HEADERS}
            target = following
        raise AssertionError("unreachable")  # pragma: no cover

    def get(self, url: str, **kwargs: Any) -> Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> Response:
        return self.request("POST", url, **kwargs)

    def _limits(self, timeout: Timeout | None) -> Limits:
        if timeout is None:
            return self.limits
        connect, read = timeout if isinstance(timeout, tuple) else (timeout, timeout)
        return replace(self.limits, connect_timeout=connect, read_timeout=read)

    def _addresses(self, target: _Target) -> list[IPAddress]:
        """Every address of the host, refused if any is internal and not allowlisted."""
        try:
            infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise OutboundUnavailable("unresolvable", target.host) from exc
        addresses: list[IPAddress] = []
        for info in infos:
            address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
            if address not in addresses:
                addresses.append(address)
        for address in addresses:
            if is_internal(address) and not self.allowlist.permits(target.host, address):
                raise OutboundRefused(
                    "internal_address", f"{target.host} resolves to {address}, which is "
                    "internal and not in this plugin's allowed_hosts")
        return addresses

    def _connect(self, target: _Target, limits: Limits) -> socket.socket:
        last: OSError | None = None
        for address in self._addresses(target):
            try:
                raw = socket.create_connection((str(address), target.port),
                                               timeout=limits.connect_timeout)
            except TimeoutError as exc:
                raise OutboundUnavailable("timeout", f"connecting to {target.host}") from exc
            except OSError as exc:
                last = exc
                continue
            raw.settimeout(limits.read_timeout)
            if target.scheme == "http":
                return raw
            try:
                return ssl.create_default_context().wrap_socket(raw, server_hostname=target.host)
            except TimeoutError as exc:
                raw.close()
                raise OutboundUnavailable("timeout", f"TLS handshake with {target.host}") from exc
            except OSError as exc:  # ssl.SSLError and certificate errors included
                raw.close()
                raise OutboundUnavailable("tls_failed", str(exc)) from exc
        raise OutboundUnavailable("connection_failed", f"{target.host}: {last}")

    def _send(self, target: _Target, method: str, body: bytes | None,
              headers: Mapping[str, str], limits: Limits, deadline: float) -> Response:
        sock = self._connect(target, limits)
        conn = http.client.HTTPConnection(target.host, target.port)
        conn.sock = sock
        try:
            try:
                conn.request(method, target.path, body=body, headers={
                    **headers, "host": target.host_header, "connection": "close"})
            except (ValueError, http.client.InvalidURL) as exc:
                raise OutboundRefused("bad_request", str(exc)) from exc
            reply = conn.getresponse()
            status = reply.status
            got = {name.lower(): value for name, value in reply.getheaders()}
            payload = b"" if status in REDIRECTS or method == "HEAD" else self._read_body(
                reply, sock, limits, deadline)
        except TimeoutError as exc:
            raise OutboundUnavailable("timeout", f"waiting for {target.host}") from exc
        except http.client.HTTPException as exc:
            raise OutboundUnavailable("bad_response", f"{target.host}: {exc}") from exc
        except OSError as exc:
            raise OutboundUnavailable("connection_failed", f"{target.host}: {exc}") from exc
        finally:
            conn.close()
        log.info("outbound %s %s %s://%s -> %s", self.plugin, method, target.scheme,
                 target.host_header, status)
        return Response(status, got, payload, target.url)

    def _read_body(self, reply: http.client.HTTPResponse, sock: socket.socket,
                   limits: Limits, deadline: float) -> bytes:
        cap = limits.max_response_bytes
        declared = reply.getheader("content-length")
        if declared and declared.isdigit() and int(declared) > cap:
            raise OutboundRefused("response_too_large", f"{declared} bytes declared, cap {cap}")
        chunks: list[bytes] = []
        size = 0
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise OutboundUnavailable("timeout", "the whole request took too long")
            sock.settimeout(min(limits.read_timeout, remaining))
            chunk = reply.read1(CHUNK)
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > cap:
                raise OutboundRefused("response_too_large", f"more than {cap} bytes")
            chunks.append(chunk)


def outbound_client(
    plugin: str,
    allowed_hosts: str | Iterable[str] | None = None,
    *,
    limits: Limits | None = None,
) -> OutboundClient:
    """A client for ``plugin``.

    ``allowed_hosts`` names the internal destinations this tenant opened; when
    omitted it is read from the plugin's settings for the current tenant
    (the ``allowed_hosts`` key), so a plugin normally just calls
    ``outbound_client("erp_acme")``.
    """
    if allowed_hosts is None:
        from saas.hooks.settings import plugin_settings

        allowed_hosts = plugin_settings(plugin).get("allowed_hosts")
    try:
        allowlist = Allowlist.of(allowed_hosts)
    except AllowedHostError as exc:
        raise OutboundRefused("bad_allowlist", str(exc)) from exc
    return OutboundClient(plugin, allowlist, limits or Limits.from_config())
