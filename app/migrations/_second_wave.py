"""The SQL and steps of migration 0003 that Tortoise's operations do not express: the
backfills of existing rows, the relay's cursor, the indexes SQLite's table rebuilds drop
and the conditional indexes Tortoise does not write, and foreign keys off and on around
the rebuilds (SQLite). Kept beside the migration (a leading underscore: not a migration
itself), frozen with it.
"""

from tortoise.migrations.schema_editor.base import BaseSchemaEditor

PENDING_TTL_DAYS = 7  # the server default for invitations sent before expiry existed
ALL_ACTIONS = (
    '["DOMAIN_READ","DOMAIN_UPDATE","INVITATION_MANAGE","INVITATION_READ",'
    '"INVITATION_SEND","MEMBER_MANAGE","MEMBER_READ","ROLE_MANAGE","WEBHOOK_MANAGE"]'
)
ADMINS_HOLD_EVERY_ACTION = (
    f"UPDATE role SET actions = '{ALL_ACTIONS}', holds_all_actions = TRUE "
    "WHERE built_in = TRUE AND name = 'admin'"
)
EVENTS_COPY_INVITEE_EMAIL = (
    'UPDATE invitation_event SET invitee_email = (SELECT u.email FROM "user" u '
    "WHERE u.id = invitation_event.invitee_id)"
)
START_RELAY_CURSOR = "INSERT INTO relay_cursor (id, assigned) VALUES (1, 0)"
POSITION_PAST_EVENTS = (
    "UPDATE invitation_event SET position = ranked.n FROM (SELECT id, "
    "ROW_NUMBER() OVER (ORDER BY at, id) AS n FROM invitation_event) AS ranked "
    "WHERE ranked.id = invitation_event.id; "
    "UPDATE relay_cursor SET assigned = "
    "(SELECT COALESCE(MAX(position), 0) FROM invitation_event) WHERE id = 1"
)
# The indexes of the tables SQLite rebuilt, as Tortoise names them.
REBUILT_INDEXES = (
    'CREATE INDEX IF NOT EXISTS "idx_invitation_invitee_cd7a5d" ON "invitation" '
    '("invitee_id", "status", "created_at", "id")',
    'CREATE INDEX IF NOT EXISTS "idx_invitation_domain__fa77e2" ON "invitation" '
    '("domain_id", "created_at", "id")',
    'CREATE INDEX IF NOT EXISTS "idx_invitation_domain__0b729f" ON "invitation" '
    '("domain_id", "status", "created_at", "id")',
    'CREATE INDEX IF NOT EXISTS "idx_invitation_domain__25582e" ON "invitation" '
    '("domain_id", "invitee_email")',
    'CREATE INDEX IF NOT EXISTS "idx_invitation__invitat_c216e6" ON "invitation_event" '
    '("invitation_id", "at")',
    'CREATE INDEX IF NOT EXISTS "idx_invitation__domain__be9225" ON "invitation_event" '
    '("domain_id", "at", "id")',
    'CREATE INDEX IF NOT EXISTS "idx_invitation__domain__204dec" ON "invitation_event" '
    '("domain_id", "position")',
    'CREATE INDEX IF NOT EXISTS "idx_invitation__invitee_6c9929" ON "invitation_event" '
    '("invitee_id", "position")',
)
# Conditional indexes, which Tortoise does not write: the one-PENDING guarantees (the
# first is migration 0002's, dropped with the rebuilt table), the expiry sweep's, and
# the relay's queue of events without a position.
PARTIAL_INDEXES = (
    "CREATE UNIQUE INDEX IF NOT EXISTS uq_invitation_one_pending "
    "ON invitation (domain_id, invitee_id) WHERE status = 'PENDING'",
    "CREATE UNIQUE INDEX IF NOT EXISTS uq_invitation_one_pending_email "
    "ON invitation (domain_id, invitee_email) WHERE status = 'PENDING'",
    "CREATE INDEX IF NOT EXISTS ix_invitation_pending_expiry "
    "ON invitation (expires_at) WHERE status = 'PENDING'",
    "CREATE INDEX IF NOT EXISTS ix_invitation_event_unpositioned "
    "ON invitation_event (at, id) WHERE position IS NULL",
    "CREATE INDEX IF NOT EXISTS ix_member_event_unpositioned "
    "ON member_event (at, id) WHERE position IS NULL",
)


def _sqlite(editor: BaseSchemaEditor) -> bool:
    return editor.client.capabilities.dialect == "sqlite"


async def foreign_keys_off(apps: object, editor: BaseSchemaEditor) -> None:
    if _sqlite(editor):
        await editor.client.execute_script("PRAGMA foreign_keys = OFF")


async def foreign_keys_on(apps: object, editor: BaseSchemaEditor) -> None:
    if _sqlite(editor):
        _, broken = await editor.client.execute_query("PRAGMA foreign_key_check")
        if broken:
            raise RuntimeError(f"foreign keys broken by the migration: {list(broken)[:5]}")
        await editor.client.execute_script("PRAGMA foreign_keys = ON")


async def backfill_invitations(apps: object, editor: BaseSchemaEditor) -> None:
    """Each invitation's address is its invitee's; it expires 7 days after it was sent
    or last resent (SQLite keeps the stored text format: 'YYYY-MM-DD HH:MM:SS.ffffff+00:00')."""
    if _sqlite(editor):
        expires = (
            f"strftime('%Y-%m-%d %H:%M:%S', COALESCE(resent_at, created_at), "
            f"'+{PENDING_TTL_DAYS} days') || substr(COALESCE(resent_at, created_at), 20)"
        )
    else:
        expires = f"COALESCE(resent_at, created_at) + INTERVAL '{PENDING_TTL_DAYS} days'"
    await editor.client.execute_script(
        f"UPDATE invitation SET expires_at = {expires}, invitee_email = "
        '(SELECT u.email FROM "user" u WHERE u.id = invitation.invitee_id)'
    )


async def restore_rebuilt_indexes(apps: object, editor: BaseSchemaEditor) -> None:
    for sql in REBUILT_INDEXES:
        await editor.client.execute_script(sql)
