"""TXT lookups for verifying a sending domain, with dnspython's async resolver. FRONTDESK_DNS_SERVER
(`host:port`, `host`, or `[v6]:port`; an IP address) names the nameserver to ask, else the system's
(/etc/resolv.conf). Nothing is cached: each verification asks afresh."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass

import dns.asyncresolver
import dns.exception
import dns.nameserver
import dns.resolver

from frontdesk.domain.errors import Invalid, Unavailable


@dataclass(frozen=True, slots=True)
class DnsSettings:
    server: tuple[str, int] | None = None  # None: the system's resolvers
    timeout: float = 5.0

    @classmethod
    def parse(cls, text: str | None) -> DnsSettings:
        if not text or not text.strip():
            return cls()
        raw = text.strip()
        host, port = raw, 53
        if raw.startswith("["):
            host, _, rest = raw[1:].partition("]")
            port = int(rest[1:]) if rest.startswith(":") and rest[1:].isdigit() else 53
        elif raw.count(":") == 1:
            host, _, p = raw.partition(":")
            if not p.isdigit():
                raise Invalid("FRONTDESK_DNS_SERVER must be host:port", field="dns_server")
            port = int(p)
        try:
            ipaddress.ip_address(host)
        except ValueError:
            raise Invalid(
                "FRONTDESK_DNS_SERVER must be an IP address (and port)", field="dns_server"
            ) from None
        if not 0 < port < 65536:
            raise Invalid("FRONTDESK_DNS_SERVER's port must be 1 to 65535", field="dns_server")
        return cls((host, port))

    @classmethod
    def from_env(cls) -> DnsSettings:
        return cls.parse(os.environ.get("FRONTDESK_DNS_SERVER"))


class TxtLookup:
    def __init__(self, settings: DnsSettings) -> None:
        self.settings = settings

    def _resolver(self) -> dns.asyncresolver.Resolver:
        server = self.settings.server
        try:
            resolver = dns.asyncresolver.Resolver(configure=server is None)
        except dns.resolver.NoResolverConfiguration:
            raise Unavailable(
                "this server has no DNS resolver configured (set FRONTDESK_DNS_SERVER)"
            ) from None
        if server is not None:
            resolver.nameservers = [dns.nameserver.Do53Nameserver(server[0], server[1])]
        resolver.lifetime = self.settings.timeout
        resolver.cache = None
        return resolver

    async def txt(self, name: str) -> list[str] | None:
        """The TXT records at `name` (each one's strings joined), or None when the name has none."""
        try:
            answer = await self._resolver().resolve(name, "TXT", raise_on_no_answer=False, search=False)
        except dns.resolver.NXDOMAIN:
            return None
        except (dns.exception.Timeout, dns.resolver.NoNameservers, dns.resolver.NoResolverConfiguration):
            raise Unavailable(
                f"the DNS did not answer for {name}: nothing was changed, verify again later"
            ) from None
        if answer.rrset is None:
            return None
        return [b"".join(r.strings).decode("utf-8", "replace") for r in answer.rrset]
