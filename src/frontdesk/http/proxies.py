"""The client's address behind reverse proxies: the outermost middleware sets the ASGI scope's
`client` to the address the trusted proxies saw, so per-IP rate limits (the HTTP limiter, the
public booking service's) and the audit's `public:<ip>` name the patient's machine, not the proxy.

A forwarding header is read only when the direct peer is in FRONTDESK_TRUSTED_PROXIES (IPs or
CIDRs; none by default, so the headers are ignored: anyone can send them). The chain is walked from
the right, the direct peer first, past every trusted hop: the first untrusted address is the
client's (the left part of the header is whatever the client wrote, so it is never believed). One
header is read, FRONTDESK_FORWARDED_HEADER: `x-forwarded-for` (default) or `forwarded` (RFC 7239)
— the one the proxy writes; reading both would let a client slip its own address into the one the
proxy leaves alone. uvicorn's own proxy handling is switched off (cli), so this is the only one."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

HEADERS = ("x-forwarded-for", "forwarded")
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def networks(entries: Iterable[str]) -> tuple[Network, ...]:
    """FRONTDESK_TRUSTED_PROXIES' entries as networks; a bad one stops start-up (ValueError)."""
    out = []
    for entry in entries:
        try:
            out.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ValueError(f"FRONTDESK_TRUSTED_PROXIES: {entry!r} is not an IP address or CIDR") from None
    return tuple(out)


def address(text: str) -> Address | None:
    """One hop as a header writes it: `1.2.3.4`, `1.2.3.4:80`, `[2001:db8::1]:80`, `"[::1]"`, bare
    IPv6; None for `unknown`, obfuscated names (`_hidden`) and anything else."""
    text = text.strip().strip('"').strip()
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        found = ipaddress.ip_address(text)
    except ValueError:
        return None
    mapped = getattr(found, "ipv4_mapped", None)
    return mapped or found


def hops(header: str, value: str) -> list[str]:
    """The header's addresses, left (the first client) to right (the nearest proxy)."""
    parts = [p for p in value.split(",") if p.strip()]
    if header == "x-forwarded-for":
        return parts
    out = []
    for element in parts:  # `for=192.0.2.60;proto=http;by=203.0.113.43`
        pairs = (pair.partition("=") for pair in element.split(";"))
        out.append(next((v for k, _, v in pairs if k.strip().lower() == "for"), "unknown"))
    return out


def client_address(peer: str, chain: list[str], trusted: tuple[Network, ...]) -> str:
    """The right-most untrusted address of `chain` + the peer; the peer itself when it is not
    trusted. An unreadable hop ends the walk at the last trusted one (it vouched for nothing better)."""
    current = address(peer)
    if current is None or not _trusted(current, trusted):
        return peer
    for hop in reversed(chain):
        found = address(hop)
        if found is None:
            break
        current = found
        if not _trusted(found, trusted):
            break
    return str(current)


def _trusted(found: Address, trusted: tuple[Network, ...]) -> bool:
    return any(found in net for net in trusted)


class ForwardedClient:
    def __init__(self, app: ASGIApp, trusted: tuple[str, ...], header: str = "x-forwarded-for") -> None:
        if header not in HEADERS:
            raise ValueError(
                f"FRONTDESK_FORWARDED_HEADER must be one of {', '.join(HEADERS)}, got {header!r}"
            )
        self.app = app
        self.trusted = networks(trusted)
        self.header = header

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        if self.trusted and client and scope["type"] in ("http", "websocket"):
            # Several header lines are one list, in order (RFC 9110 5.3).
            values = Headers(scope=scope).getlist(self.header)
            chain = [h for v in values for h in hops(self.header, v)][-64:]  # bounded walk
            if chain:
                found = client_address(client[0], chain, self.trusted)
                if found != client[0]:
                    scope = {**scope, "client": (found, 0)}
        await self.app(scope, receive, send)
