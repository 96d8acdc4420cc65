"""At most one PENDING invitation per (domain, invitee), enforced by the database.

Tortoise drops conditional unique constraints when it writes a schema, so the
partial unique index is created here with SQL that SQLite and PostgreSQL share.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("models", "0001_initial")]

    operations = [
        ops.RunSQL(
            "CREATE UNIQUE INDEX IF NOT EXISTS uq_invitation_one_pending "
            "ON invitation (domain_id, invitee_id) WHERE status = 'PENDING'",
            reverse_sql="DROP INDEX IF EXISTS uq_invitation_one_pending",
        )
    ]
