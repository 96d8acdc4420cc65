"""A domain's PENDING invitations by deadline, so that its Invitations table filtered on
PENDING or EXPIRED reads the few invitations past their deadline that the sweep has not
stored yet (and counts the PENDING ones) without reading every other PENDING row."""

from tortoise import migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("models", "0003_second_wave")]

    operations = [
        ops.RunSQL(
            "CREATE INDEX IF NOT EXISTS ix_invitation_pending_domain_expiry "
            "ON invitation (domain_id, expires_at) WHERE status = 'PENDING'",
            reverse_sql="DROP INDEX IF EXISTS ix_invitation_pending_domain_expiry",
        )
    ]
