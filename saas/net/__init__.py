"""Outbound network access for plugins, safe against SSRF."""

from saas.net.addresses import AllowedHostError, check_allowed_host, parse_allowed_hosts
from saas.net.http import (
    Limits,
    OutboundClient,
    OutboundError,
    OutboundRefused,
    OutboundUnavailable,
    Response,
    outbound_client,
)

__all__ = [
    "AllowedHostError",
    "Limits",
    "OutboundClient",
    "OutboundError",
    "OutboundRefused",
    "OutboundUnavailable",
    "Response",
    "check_allowed_host",
    "outbound_client",
    "parse_allowed_hosts",
]
