"""Where a webhook may send: URL shape and address rules against request forgery (SSRF).

    production    https only; every address the host resolves to must be public
    development   http allowed too, and loopback addresses (a receiver on this machine)

Private, link-local (cloud metadata), multicast, reserved and unspecified addresses are
refused everywhere. The rules are checked when a webhook is created or changed and again
before each attempt, since DNS can change meanwhile; the attempt then connects to the
address that was checked, so a second lookup cannot swap in another (DNS rebinding).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from typing import NamedTuple

import httpx

from app import errors
from app.services.validation import check_text

MAX_URL_LENGTH = 2048
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class RefusedError(Exception):
    """A destination the rules do not allow; the message says why."""


class Destination(NamedTuple):
    url: httpx.URL  # the URL to request: the checked address in place of the host
    host: str  # the host named in TLS (SNI and the certificate check)
    host_header: str  # the Host header: the host, and the port unless the default


def check_url(text: str, *, production: bool) -> httpx.URL:
    """The URL if its shape is acceptable, else INVALID_INPUT on `url`."""
    try:
        return _shaped(check_text(text, field="url", validated=True), production=production)
    except RefusedError as exc:
        raise errors.InvalidInputError(str(exc), field="url") from None


def _shaped(text: str, *, production: bool) -> httpx.URL:
    try:
        url = httpx.URL(text.strip())
    except (httpx.InvalidURL, TypeError):
        url = None
    if url is None or len(text) > MAX_URL_LENGTH or not url.host or url.fragment:
        raise RefusedError(
            f"url must be an absolute http(s) URL of at most {MAX_URL_LENGTH} characters, "
            "without a #fragment"
        )
    if url.scheme not in (("https",) if production else ("https", "http")):
        raise RefusedError("url must use https" if production else "url must use http or https")
    return url


def allowed(address: Address, *, production: bool) -> bool:
    """Whether a webhook may connect to this address."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if address.is_loopback:
        return not production
    return address.is_global and not address.is_multicast


async def resolve(text: str, *, production: bool) -> Destination:
    """Look the URL's host up and check every address it has; the destination to connect
    to, or RefusedError. A stored URL must meet today's rules too."""
    url = _shaped(text, production=production)
    try:
        found = await asyncio.get_running_loop().getaddrinfo(
            url.host, url.port or (443 if url.scheme == "https" else 80), type=socket.SOCK_STREAM
        )
    except OSError as exc:
        raise RefusedError(f"{url.host} does not resolve ({exc.strerror or exc})") from None
    addresses = [ipaddress.ip_address(str(info[4][0]).partition("%")[0]) for info in found]
    refused = [a for a in addresses if not allowed(a, production=production)]
    if refused or not addresses:
        raise RefusedError(
            f"{url.host} resolves to {refused[0] if refused else 'nothing'}, "
            "which webhooks may not reach"
        )
    return Destination(url.copy_with(host=str(addresses[0])), url.host, url.netloc.decode())


async def check_destination(text: str, *, production: bool) -> str:
    """A URL a webhook may be given now: its shape, then its addresses (INVALID_INPUT)."""
    url = check_url(text, production=production)
    try:
        await resolve(str(url), production=production)
    except RefusedError as exc:
        raise errors.InvalidInputError(f"url refused: {exc}", field="url") from None
    return str(url)
