"""No server-side request forgery: a webhook goes to public addresses unless told otherwise.

A URL is checked when the endpoint is saved and again before each delivery, since a name may
resolve elsewhere later; the delivery then connects to the address that was checked.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from halcrm.domain.errors import InvalidRequest

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
RESOLVE_SECONDS = 5.0
LOCAL_NAMES = ("localhost", "localhost.localdomain")


class Refused(Exception):
    """The URL may not be called (a private address, or none at all); the message says why."""


def parse(url: str) -> tuple[str, str, int]:
    """The scheme, host and port of an http(s) URL, or ``InvalidRequest``."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise InvalidRequest(f"url is not valid: {exc}", field="url") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidRequest("url must be an http or https URL with a host", field="url")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80)


def is_public(address: IPAddress) -> bool:
    """Whether an address is a public unicast one (never loopback, private, link-local,
    multicast, reserved or unspecified; an IPv4-mapped IPv6 address is judged as IPv4)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return not (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


async def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to now (``Refused`` when none)."""
    found = literal(host)
    if found is not None:
        return [found]
    loop = asyncio.get_running_loop()
    try:
        infos = await asyncio.wait_for(
            loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), RESOLVE_SECONDS
        )
    except (OSError, TimeoutError) as exc:
        raise Refused(f"{host} does not resolve: {exc}") from None
    addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
    if not addresses:
        raise Refused(f"{host} does not resolve")
    return addresses


async def public_address(host: str, port: int) -> IPAddress:
    """The address to connect to: every address of the name must be public."""
    if host.lower().rstrip(".") in LOCAL_NAMES or host.lower().endswith(".localhost"):
        raise Refused(f"{host} is this machine")
    addresses = await resolve(host, port)
    for address in addresses:
        if not is_public(address):
            raise Refused(f"{host} resolves to {address}, a private or reserved address")
    return addresses[0]


async def check_url(url: str, allow_private: bool) -> None:
    """Refuses (400) a URL whose host is or resolves to a private address, unless allowed.

    A name that does not resolve now is accepted: it is checked again at each delivery.
    """
    _, host, port = parse(url)
    if allow_private:
        return
    try:
        await public_address(host, port)
    except Refused as exc:
        if "does not resolve" in str(exc):
            return
        raise InvalidRequest(
            f"url is not allowed: {exc} (set allow_private to send there)", field="url"
        ) from None
