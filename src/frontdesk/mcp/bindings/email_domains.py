"""The sending-domain tools (issue 14). /mcp: manage_email_domain (get, register, verify, delete).
Coordinalo: the seed's email_domain_get, email_domain_register, email_domain_verify,
email_domain_delete (the seed gives no parameter lists; ours are one word each: domain, mailbox,
confirm, and idempotencyKey). MedCor has none."""

from __future__ import annotations

from frontdesk.mcp.bindings.messaging import _coordinalo
from frontdesk.mcp.registry import Binding
from frontdesk.services.messaging import domains_operations as ops

FRONTDESK: tuple[Binding, ...] = (Binding(ops.MANAGE_EMAIL_DOMAIN),)
COORDINALO: tuple[Binding, ...] = tuple(_coordinalo(op) for op in ops.COORDINALO_OPERATIONS)
MEDCOR: tuple[Binding, ...] = ()
