"""Which addresses a plugin may reach: public ones, plus the tenant's allowlist.

An address is *internal* when it is private, loopback, link-local (which
includes the 169.254.169.254 cloud metadata service), multicast, reserved,
unspecified, shared (carrier-grade NAT) or otherwise not globally routable —
for IPv6 too, and for IPv4 addresses embedded in IPv6 ones (``::ffff:10.0.0.1``,
6to4, the NAT64 well-known prefix), so no spelling slips through.

A tenant opens specific internal destinations (its own SMTP relay or ERP) with
an ``allowed_hosts`` list in the plugin's settings. Entries are host names
(matched exactly, case-insensitive), IP addresses or networks in CIDR form
(matched against the resolved address).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
NAT64_PREFIX = ipaddress.IPv6Network("64:ff9b::/96")
LABEL = r"[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?"
HOST_NAME = re.compile(rf"^(?=.{{1,253}}$){LABEL}(\.{LABEL})*$")


class AllowedHostError(ValueError):
    """An ``allowed_hosts`` entry is neither a host name, an address nor a network."""


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, 6to4, NAT64), if any."""
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in NAT64_PREFIX:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_internal(address: IPAddress) -> bool:
    """True for every address that is not a plain public unicast address."""
    inner = embedded_ipv4(address)
    if inner is not None and is_internal(inner):
        return True
    return (
        not address.is_global
        or address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def normalize_host(host: str) -> str:
    return host.strip().rstrip(".").lower()


def parse_allowed_hosts(value: str | Iterable[str] | None) -> list[str]:
    """Entries from a list, or from one text separated by commas or whitespace."""
    if value is None:
        return []
    items = re.split(r"[\s,]+", value) if isinstance(value, str) else list(value)
    return [normalize_host(item) for item in items if item and item.strip()]


def check_allowed_host(entry: str) -> None:
    """Raise :class:`AllowedHostError` unless ``entry`` is a valid allowlist entry.

    Usable as a marshmallow validator in a plugin's settings schema, on each
    entry of :func:`parse_allowed_hosts`.
    """
    text = normalize_host(entry)
    try:
        ipaddress.ip_network(text, strict=False)
        return
    except ValueError:
        pass
    if not HOST_NAME.match(text):
        raise AllowedHostError(
            f"“{entry}” is not a host name, an IP address or a network (e.g. 10.0.0.0/24).")


@dataclass(frozen=True)
class Allowlist:
    """The internal destinations one tenant opened for one plugin."""

    names: frozenset[str]
    networks: tuple[IPNetwork, ...]

    @classmethod
    def of(cls, entries: str | Iterable[str] | None) -> Allowlist:
        names: set[str] = set()
        networks: list[IPNetwork] = []
        for entry in parse_allowed_hosts(entries):
            check_allowed_host(entry)
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                names.add(entry)
        return cls(frozenset(names), tuple(networks))

    def permits(self, host: str, address: IPAddress) -> bool:
        """True when ``host`` or ``address`` is allowlisted."""
        if normalize_host(host) in self.names:
            return True
        inner = embedded_ipv4(address)
        return any(address in net or (inner is not None and inner in net)
                   for net in self.networks)
