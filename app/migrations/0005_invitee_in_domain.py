"""An invitee's earlier invitations in a domain, whatever their status, by one index
seek each: what sendInvitations checks for every invitee. Without it the check read
every PENDING, REJECTED and EXPIRED invitation of the domain (3 ms a batch of ten in a
domain of ten thousand invitations)."""

from tortoise import migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("models", "0004_expiry_lists")]

    operations = [
        ops.RunSQL(
            "CREATE INDEX IF NOT EXISTS ix_invitation_domain_invitee "
            "ON invitation (domain_id, invitee_id)",
            reverse_sql="DROP INDEX IF EXISTS ix_invitation_domain_invitee",
        )
    ]
