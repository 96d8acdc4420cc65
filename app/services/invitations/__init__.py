"""Invitations: send, respond, resend, delete, claim by link, the lists and the audit trail.

reads        the compiled SQL and the rows it fills (no authorization)
queries      authorized reads: the caller's lists, a domain's table, one, the audit log
send         sending to 1..100 invitees, users by id or people by address
transitions  respond, resend, delete
claims       an invitation link's preview, and claiming it
emails       the outbox rows written with invitations, and their delivery state
changes      what the writes share: history rows, compare-and-set, messages
"""

from app.services.invitations.claims import claim, preview
from app.services.invitations.queries import audit_log, get, mine, of_domain, pending
from app.services.invitations.send import SendResult, send
from app.services.invitations.transitions import delete, resend, respond

__all__ = [
    "SendResult",
    "audit_log",
    "claim",
    "delete",
    "get",
    "mine",
    "of_domain",
    "pending",
    "preview",
    "resend",
    "respond",
    "send",
]
