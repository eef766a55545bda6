"""Local stand-ins for the channel providers: SMS, WeCom, LinkedIn and SMTP.

Each HTTP stand-in is a small threaded server on 127.0.0.1 (a free port) that
records every request, honours the provider's idempotency (SMS
``client_reference``, LinkedIn ``idempotencyKey``, WeCom's duplicate check) so
``deliveries`` holds each message once, can be told to answer the next calls
with a 500, a 429 with ``Retry-After`` or any body (``fail_next``), or to sit on
them past the client's time-out and deliver afterwards like a real provider
(``time_out_next``), and writes the signed callbacks its provider would send.
The plugin tests, the outbox tests and the benchmark share them::

    with SmsStandIn(api_key="k") as sms:
        settings = {"base_url": sms.base_url, "api_key": "k", "allowed_hosts": "127.0.0.1"}

:class:`SmtpStandIn` is an aiosmtpd server capturing messages, with STARTTLS,
TLS and authentication when asked (:func:`tls_files` makes a certificate for
127.0.0.1; point ``SSL_CERT_FILE`` at it so the client trusts it).
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import itertools
import json
import os
import re
import socket
import ssl
import struct
import threading
import time
import urllib.request
from collections import deque
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qs, urlencode, urlsplit

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, padding, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.x509.oid import NameOID

Answer = tuple[int, dict[str, str], bytes]
# The stand-ins' default credentials (test values, nothing real).
LINKEDIN_TOKEN = "li-token"
LINKEDIN_SIGNING = "li-signing"
WECOM_SECRET = "wecom-secret"
WECOM_CALLBACK_TOKEN = "cb-token"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _json(status: int, payload: Any, headers: dict[str, str] | None = None) -> Answer:
    return status, {"Content-Type": "application/json", **(headers or {})}, json.dumps(
        payload, ensure_ascii=False).encode()


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Delivery:
    id: str
    to: str
    text: str
    reference: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Fault:
    answer: Answer | None  # None: answer normally (after the delay)
    delay: float = 0.0
    path: str | None = None


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _serve(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        seen = Seen(self.command, parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()},
                    {k.lower(): v for k, v in self.headers.items()},
                    self.rfile.read(length) if length else b"")
        status, headers, body = self.server.standin.dispatch(seen)
        try:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a time-out); what was done stays done

    do_GET = do_POST = do_PUT = do_DELETE = _serve  # noqa: N815


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    standin: HttpStandIn


class HttpStandIn:
    """The shared machinery: serve, record, inject faults; subclasses route."""

    def __init__(self) -> None:
        self.requests: list[Seen] = []
        self.deliveries: list[Delivery] = []
        self.lock = threading.Lock()
        self._faults: deque[Fault] = deque()
        self._ids = itertools.count(1)
        self._server: _Server | None = None

    # -- lifecycle
    def start(self) -> Self:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.standin = self
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True, name=type(self).__name__).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start the stand-in first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def new_id(self, prefix: str) -> str:
        return f"{prefix}-{next(self._ids)}"

    # -- faults
    def fail_next(self, n: int = 1, status: int = 500, *, retry_after: float | None = None,
                  payload: Any = None, path: str | None = None) -> None:
        """Answer the next ``n`` calls (to ``path``, or any) with ``status``."""
        headers = {"Retry-After": f"{retry_after:g}"} if retry_after is not None else {}
        answer = _json(status, payload if payload is not None else {"error": "stand-in fault"},
                       headers)
        with self.lock:
            self._faults.extend(Fault(answer, path=path) for _ in range(n))

    def time_out_next(self, n: int = 1, seconds: float = 2.0, path: str | None = None) -> None:
        """Sit on the next ``n`` calls for ``seconds``, then do them anyway."""
        with self.lock:
            self._faults.extend(Fault(None, delay=seconds, path=path) for _ in range(n))

    def _take_fault(self, path: str) -> Fault | None:
        with self.lock:
            for fault in self._faults:
                if fault.path is None or fault.path == path:
                    self._faults.remove(fault)
                    return fault
        return None

    def dispatch(self, seen: Seen) -> Answer:
        with self.lock:
            self.requests.append(seen)
        fault = self._take_fault(seen.path)
        if fault is not None:
            if fault.delay:
                time.sleep(fault.delay)
            if fault.answer is not None:
                return fault.answer
        try:
            return self.route(seen)
        except (ValueError, KeyError, TypeError) as exc:
            return _json(400, {"error": f"bad request: {exc}"})

    def route(self, seen: Seen) -> Answer:
        raise NotImplementedError

    def calls(self, path: str) -> list[Seen]:
        with self.lock:
            return [seen for seen in self.requests if seen.path == path]

    @staticmethod
    def post(url: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        """POST a callback to ``url`` (e.g. a live Rekindle) and return status and body."""
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"not an http(s) URL: {url}")
        request = urllib.request.Request(url, data=body, headers=headers,  # noqa: S310
                                         method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as reply:  # noqa: S310
                return int(reply.status), reply.read()
        except urllib.error.HTTPError as exc:
            return int(exc.code), exc.read()


# -- SMS ---------------------------------------------------------------------------------

E164 = re.compile(r"^\+[1-9]\d{6,14}$")
SMS_BATCH_LIMIT = 500
INVALID_NUMBER = {"code": "invalid_number", "message": "not a valid E.164 number"}


class SmsStandIn(HttpStandIn):
    """``POST /v1/messages`` and ``/v1/messages/batch``, ``GET /v1/account``; signed
    delivery reports and replies.

    A batch is one lock and one JSON answer however many messages it carries (the
    benchmark sends thousands a second through it).
    """

    def __init__(self, api_key: str = "sms-key", signing_secret: str | None = None) -> None:
        super().__init__()
        self.api_key = api_key
        self.signing_secret = signing_secret or api_key
        self._by_reference: dict[str, str] = {}

    def route(self, seen: Seen) -> Answer:
        if seen.headers.get("x-api-key") != self.api_key:
            return _json(401, {"error": {"code": "unauthorized"}})
        if seen.method == "GET" and seen.path == "/v1/account":
            return _json(200, {"balance": 1000, "currency": "CNY"})
        if seen.method == "POST" and seen.path == "/v1/messages":
            payload = seen.json()
            if not E164.match(str(payload.get("to", ""))):
                return _json(422, {"error": INVALID_NUMBER})
            with self.lock:
                message_id, new = self._deliver(payload)
            return _json(201 if new else 200, {"id": message_id, "status": "queued"})
        if seen.method == "POST" and seen.path == "/v1/messages/batch":
            return self._batch(seen.json()["messages"])
        return _json(404, {"error": "no such route"})

    def _deliver(self, payload: dict[str, Any]) -> tuple[str, bool]:
        """Deliver one message unless its ``client_reference`` was seen: its id, and
        whether it is new. Call with the lock held."""
        reference = payload.get("client_reference")
        if reference and reference in self._by_reference:
            return self._by_reference[reference], False
        message_id = self.new_id("sms")
        if reference:
            self._by_reference[reference] = message_id
        self.deliveries.append(Delivery(message_id, payload["to"], payload["text"], reference,
                                        {"from": payload.get("from")}))
        return message_id, True

    def _batch(self, messages: Any) -> Answer:
        """A malformed request is refused whole, before anything is delivered; then
        each message is accepted or refused on its own, in order."""
        if not isinstance(messages, list) or not 0 < len(messages) <= SMS_BATCH_LIMIT or not all(
                isinstance(m, dict) and isinstance(m.get("text"), str) for m in messages):
            return _json(400, {"error": {
                "code": "bad_request",
                "message": f"messages: 1 to {SMS_BATCH_LIMIT} objects with to and text"}})
        results: list[dict[str, Any]] = []
        with self.lock:
            for message in messages:
                reference = message.get("client_reference")
                if E164.match(str(message.get("to", ""))):
                    message_id, _new = self._deliver(message)
                    results.append({"client_reference": reference, "id": message_id,
                                    "status": "queued"})
                else:
                    results.append({"client_reference": reference, "error": INVALID_NUMBER})
        return _json(200, {"results": results})

    def signed(self, payload: Any, *, timestamp: int | None = None,
               secret: str | None = None) -> tuple[dict[str, str], bytes]:
        body = json.dumps(payload, ensure_ascii=False).encode()
        stamp = str(timestamp if timestamp is not None else int(time.time()))
        signature = hmac.new((secret or self.signing_secret).encode(), f"{stamp}.".encode() + body,
                             hashlib.sha256).hexdigest()
        return {"Content-Type": "application/json", "X-Sms-Timestamp": stamp,
                "X-Sms-Signature": signature}, body

    def delivery_report(self, message_id: str, status: str = "delivered",
                        **extra: Any) -> tuple[dict[str, str], bytes]:
        to = next((d.to for d in self.deliveries if d.id == message_id), "")
        return self.signed({"type": "delivery_report", "id": message_id, "status": status,
                            "to": to, "occurred_at": _now(), **extra})

    def inbound(self, sender: str, text: str) -> tuple[dict[str, str], bytes]:
        return self.signed({"type": "inbound", "id": self.new_id("in"), "from": sender,
                            "text": text, "received_at": _now()})


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


# -- LinkedIn ------------------------------------------------------------------------------

RECIPIENT = re.compile(r"^(urn:li:person:[A-Za-z0-9_-]+|https://www\.linkedin\.com/in/[^/\s]+/?)$")


class LinkedInStandIn(HttpStandIn):
    """``POST /v2/messages``, ``GET /v2/me``; signed reply callbacks."""

    def __init__(self, token: str = LINKEDIN_TOKEN,
                 signing_secret: str = LINKEDIN_SIGNING) -> None:
        super().__init__()
        self.token = token
        self.signing_secret = signing_secret
        self._by_key: dict[str, str] = {}

    def route(self, seen: Seen) -> Answer:
        if seen.headers.get("authorization") != f"Bearer {self.token}":
            return _json(401, {"message": "invalid access token"})
        if seen.method == "GET" and seen.path == "/v2/me":
            return _json(200, {"id": "urn:li:person:recruiter"})
        if seen.method == "POST" and seen.path == "/v2/messages":
            payload = seen.json()
            if not RECIPIENT.match(str(payload.get("recipient", ""))):
                return _json(422, {"message": "the recipient cannot be messaged"})
            key = payload.get("idempotencyKey")
            with self.lock:
                if key and key in self._by_key:
                    return _json(200, {"id": self._by_key[key]})
                message_id = self.new_id("li")
                if key:
                    self._by_key[key] = message_id
                self.deliveries.append(Delivery(message_id, payload["recipient"],
                                                payload["body"], key,
                                                {"subject": payload.get("subject")}))
            return _json(201, {"id": message_id})
        return _json(404, {"message": "no such route"})

    def signed(self, events: list[dict[str, Any]],
               secret: str | None = None) -> tuple[dict[str, str], bytes]:
        return self.signed_body(json.dumps({"events": events}, ensure_ascii=False).encode(),
                                secret)

    def signed_body(self, body: bytes, secret: str | None = None) -> tuple[dict[str, str], bytes]:
        signature = hmac.new((secret or self.signing_secret).encode(), body,
                             hashlib.sha256).hexdigest()
        return {"Content-Type": "application/json", "X-Li-Signature": signature}, body

    def reply(self, message_id: str, sender: str, text: str) -> tuple[dict[str, str], bytes]:
        return self.signed([{"id": self.new_id("evt"), "type": "message.reply",
                             "inReplyTo": message_id, "from": sender, "body": text,
                             "createdAt": _now()}])


# -- WeCom ---------------------------------------------------------------------------------


class WeComStandIn(HttpStandIn):
    """``/cgi-bin/gettoken`` and ``/cgi-bin/message/send``; encrypted callbacks."""

    def __init__(self, corp_id: str = "ww-corp", corp_secret: str = WECOM_SECRET,
                 agent_id: int = 1000002, callback_token: str = WECOM_CALLBACK_TOKEN,
                 aes_key: str | None = None, expires_in: int = 7200) -> None:
        super().__init__()
        self.corp_id, self.corp_secret, self.agent_id = corp_id, corp_secret, agent_id
        self.callback_token = callback_token
        self.aes_key = aes_key or base64.b64encode(os.urandom(32)).decode().rstrip("=")
        self.expires_in = expires_in
        self.unknown_users: set[str] = set()
        self._tokens: dict[str, bool] = {}  # token -> still valid
        self._recent: dict[tuple[str, int, str], tuple[str, float]] = {}

    @property
    def tokens_issued(self) -> int:
        return len(self._tokens)

    def expire_tokens(self) -> None:
        """Every token issued so far is now expired (WeCom answers 42001)."""
        with self.lock:
            self._tokens = dict.fromkeys(self._tokens, False)

    def route(self, seen: Seen) -> Answer:
        if seen.path == "/cgi-bin/gettoken":
            if (seen.query.get("corpid"), seen.query.get("corpsecret")) != (
                    self.corp_id, self.corp_secret):
                return _json(200, {"errcode": 40001, "errmsg": "invalid credential"})
            token = self.new_id("tok")
            with self.lock:
                self._tokens[token] = True
            return _json(200, {"errcode": 0, "errmsg": "ok", "access_token": token,
                               "expires_in": self.expires_in})
        if seen.path == "/cgi-bin/message/send" and seen.method == "POST":
            valid = self._tokens.get(seen.query.get("access_token", ""))
            if valid is None:
                return _json(200, {"errcode": 40014, "errmsg": "invalid access_token"})
            if not valid:
                return _json(200, {"errcode": 42001, "errmsg": "access_token expired"})
            return self._send(seen.json())
        return _json(404, {"errcode": 404, "errmsg": "no such route"})

    def _send(self, payload: dict[str, Any]) -> Answer:
        if payload.get("msgtype") != "text" or payload.get("agentid") != self.agent_id:
            return _json(200, {"errcode": 40008, "errmsg": "invalid message type or agentid"})
        user, content = str(payload["touser"]), str(payload["text"]["content"])
        if user in self.unknown_users:
            return _json(200, {"errcode": 81013, "errmsg": "user & party & tag all invalid",
                               "invaliduser": user})
        key = (user, self.agent_id, content)
        with self.lock:
            earlier = self._recent.get(key)
            window = float(payload.get("duplicate_check_interval") or 1800)
            if payload.get("enable_duplicate_check") and earlier and \
                    time.monotonic() - earlier[1] < window:
                return _json(200, {"errcode": 0, "errmsg": "ok", "msgid": earlier[0]})
            msgid = self.new_id("msg")
            self._recent[key] = (msgid, time.monotonic())
            self.deliveries.append(Delivery(msgid, user, content))
        return _json(200, {"errcode": 0, "errmsg": "ok", "msgid": msgid})

    # -- callbacks: WeCom's envelope, written independently of the plugin
    def encrypt(self, message: bytes, corp_id: str | None = None) -> str:
        key = base64.b64decode(self.aes_key + "=")
        plain = os.urandom(16) + struct.pack(">I", len(message)) + message + (
            corp_id or self.corp_id).encode()
        padder = padding.PKCS7(256).padder()
        padded = padder.update(plain) + padder.finalize()
        encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
        return base64.b64encode(encryptor.update(padded) + encryptor.finalize()).decode()

    def sign(self, timestamp: str, nonce: str, encrypted: str, token: str | None = None) -> str:
        parts = sorted([token or self.callback_token, timestamp, nonce, encrypted])
        return hashlib.sha1("".join(parts).encode(), usedforsecurity=False).hexdigest()

    def callback(self, sender: str, content: str, *, msg_id: str | None = None,
                 msg_type: str = "text", timestamp: int | None = None,
                 token: str | None = None, corp_id: str | None = None,
                 ) -> tuple[dict[str, str], bytes]:
        """A user's message as WeCom posts it: headers (the query forwarded) and XML body."""
        stamp = str(timestamp if timestamp is not None else int(time.time()))
        inner = (
            f"<xml><ToUserName><![CDATA[{self.corp_id}]]></ToUserName>"
            f"<FromUserName><![CDATA[{sender}]]></FromUserName><CreateTime>{stamp}</CreateTime>"
            f"<MsgType><![CDATA[{msg_type}]]></MsgType><Content><![CDATA[{content}]]></Content>"
            f"<MsgId>{msg_id or self.new_id('wxmsg')}</MsgId><AgentID>{self.agent_id}</AgentID>"
            "</xml>").encode()
        encrypted = self.encrypt(inner, corp_id)
        nonce = base64.b32encode(os.urandom(5)).decode()
        query = urlencode({"msg_signature": self.sign(stamp, nonce, encrypted, token),
                           "timestamp": stamp, "nonce": nonce})
        body = (f"<xml><ToUserName><![CDATA[{self.corp_id}]]></ToUserName>"
                f"<AgentID><![CDATA[{self.agent_id}]]></AgentID>"
                f"<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>").encode()
        return {"Content-Type": "text/xml", "X-Rekindle-Query": query}, body


# -- SMTP ----------------------------------------------------------------------------------


def tls_files(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate and key for 127.0.0.1 and localhost (PEM files)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    import ipaddress

    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([
            x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "smtp-cert.pem", directory / "smtp-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class _Capture:
    def __init__(self, standin: SmtpStandIn) -> None:
        self.standin = standin

    async def handle_RCPT(  # noqa: N802
            self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        answer = self.standin.refuse.get(address.lower())
        if answer:
            return answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802
            self, server: Any, session: Any, envelope: Any) -> str:
        mail = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(mail, EmailMessage)
        with self.standin.lock:
            self.standin.messages.append(mail)
            self.standin.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos),
                                           bytes(envelope.content)))
        return "250 Message accepted"


class SmtpStandIn:
    """A capturing SMTP server: ``security`` none, starttls or tls; optional login.

    ``refuse`` maps a recipient address to the SMTP answer for RCPT (e.g.
    ``"550 5.1.1 no such user"`` or ``"451 4.3.0 try later"``).
    """

    def __init__(self, *, security: str = "none", cert: tuple[Path, Path] | None = None,
                 username: str | None = None, password: str | None = None) -> None:
        self.security, self.cert = security, cert
        self.username, self.password = username, password
        self.refuse: dict[str, str] = {}
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str], bytes]] = []
        self.lock = threading.Lock()
        self.port = free_port()
        self._controller: Controller | None = None

    def _authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str,
                      auth_data: Any) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and (
            auth_data.login.decode(), auth_data.password.decode()) == (self.username,
                                                                      self.password)
        return AuthResult(success=ok, handled=False)  # aiosmtpd answers 535 itself

    def start(self) -> Self:
        kwargs: dict[str, Any] = {}
        context: ssl.SSLContext | None = None
        if self.cert is not None:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(str(self.cert[0]), str(self.cert[1]))
        if self.security == "starttls":
            kwargs.update(tls_context=context, require_starttls=True)
        elif self.security == "tls":
            kwargs.update(ssl_context=context)
        if self.username:
            kwargs.update(authenticator=self._authenticate,
                          auth_require_tls=self.security == "starttls")
        self._controller = Controller(_Capture(self), hostname="127.0.0.1", port=self.port,
                                      server_hostname="localhost", **kwargs)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def settings(self, **extra: Any) -> dict[str, Any]:
        """channel_email settings that reach this server."""
        base: dict[str, Any] = {"host": "127.0.0.1", "port": self.port,
                                "sender": "talent@acme.example", "security": self.security,
                                "timeout_seconds": 4.0}
        if self.username:
            base.update(username=self.username, password=self.password)
        return {**base, **extra}
