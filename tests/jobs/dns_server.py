"""A real DNS server for the tests: UDP on 127.0.0.1 (a free port), answering TXT questions from an
in-memory zone, in a thread (so both the async resolver of the service and dkimpy's blocking lookups
reach it). Messages are parsed and made with dnspython; a name not in the zone is NXDOMAIN."""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Callable

import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.resolver
import dns.rrset


class Zone:
    def __init__(self) -> None:
        self.txt: dict[str, list[str]] = {}
        self.questions = 0

    def publish(self, name: str, value: str) -> None:
        self.txt.setdefault(name.lower().rstrip("."), []).append(value)

    def clear(self) -> None:
        self.txt.clear()


def _quoted(value: str) -> str:
    """One TXT record in zone-file form: strings of at most 255 characters (a DKIM key is longer)."""
    return " ".join(f'"{value[i : i + 255]}"' for i in range(0, len(value), 255)) or '""'


class DnsServer:
    def __init__(self, zone: Zone) -> None:
        self.zone = zone
        outer = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                data, sock = self.request
                sock.sendto(outer.answer(data), self.client_address)

        self.server = socketserver.ThreadingUDPServer(("127.0.0.1", 0), Handler)
        self.port = int(self.server.server_address[1])
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def answer(self, wire: bytes) -> bytes:
        query = dns.message.from_wire(wire)
        reply = dns.message.make_response(query)
        self.zone.questions += 1
        for q in query.question:
            name = q.name.to_text(omit_final_dot=True).lower()
            values = self.zone.txt.get(name)
            if values is None:
                reply.set_rcode(dns.rcode.NXDOMAIN)
            elif q.rdtype == dns.rdatatype.TXT:
                rrset = dns.rrset.from_text_list(q.name, 60, "IN", "TXT", [_quoted(v) for v in values])
                reply.answer.append(rrset)
        return bytes(reply.to_wire())

    def __enter__(self) -> DnsServer:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def dnsfunc(self) -> Callable[..., bytes | None]:
        """dkimpy's `dnsfunc`: the first TXT record at a name, from this server."""
        resolver = dns.resolver.Resolver(configure=False)
        resolver.port = self.port  # before the nameservers: they take the port set when given
        resolver.nameservers = ["127.0.0.1"]

        def get_txt(name: bytes, timeout: float = 5) -> bytes | None:
            try:
                answer = resolver.resolve(name.decode(), "TXT", lifetime=timeout, search=False)
            except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
                return None
            return b"".join(next(iter(answer)).strings)  # type: ignore[attr-defined]

        return get_txt
