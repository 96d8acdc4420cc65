"""The second wave's tables and columns: expiry and messages, e-mail invitations (a null
invitee), member events, the event relay's positions, idempotency keys, the e-mail
outbox and webhooks.

SQLite cannot make a column nullable, or add a NOT NULL one to rows that exist, without
rebuilding the table; Tortoise's rebuild drops the table's indexes, so they are created
again below. Foreign keys are off during the rebuild (a DROP TABLE with them on would
null or refuse the rows that point at it), so the migration is not atomic; it checks
the keys before it turns them back on. Existing rows are backfilled: invitations expire
7 days after they were sent or last resent, the admin role gains WEBHOOK_MANAGE, and
past events take positions in the order they happened.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops
from app.ids import new_id
from app.models import DeliveryStatus, EmailStatus, InvitationEventKind, InvitationStatus, MemberEventKind, utcnow
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

from app.migrations._second_wave import (
    ADMINS_HOLD_EVERY_ACTION,
    EVENTS_COPY_INVITEE_EMAIL,
    PARTIAL_INDEXES,
    POSITION_PAST_EVENTS,
    START_RELAY_CURSOR,
    backfill_invitations,
    foreign_keys_off,
    foreign_keys_on,
    restore_rebuilt_indexes,
)

class Migration(migrations.Migration):
    dependencies = [('models', '0002_one_pending_invitation')]

    initial = False
    atomic = False

    operations = [
        ops.RunPython(foreign_keys_off),
        ops.CreateModel(
            name='EmailMessage',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=new_id, unique=True, db_index=True)),
                ('invitation', fields.ForeignKeyField('models.Invitation', source_field='invitation_id', null=True, db_constraint=True, to_field='id', related_name='emails', on_delete=OnDelete.SET_NULL)),
                ('to_address', fields.CharField(max_length=254)),
                ('nonce', fields.CharField(null=True, max_length=64)),
                ('status', fields.CharEnumField(default=EmailStatus.QUEUED, description='QUEUED: QUEUED\nSENT: SENT\nFAILED: FAILED', enum_type=EmailStatus, max_length=16)),
                ('attempts', fields.IntField(default=0)),
                ('last_error', fields.TextField(null=True, unique=False)),
                ('next_attempt_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('locked_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'email_message', 'app': 'models', 'indexes': [Index(fields=['status', 'next_attempt_at']), Index(fields=['invitation_id', 'created_at'])], 'pk_attr': 'id', 'table_description': 'The outbox: each e-mail to send, written in the transaction of what it tells,'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='IdempotencyKey',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=new_id, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='idempotency_keys', on_delete=OnDelete.CASCADE)),
                ('key', fields.CharField(max_length=255)),
                ('request_hash', fields.CharField(max_length=64)),
                ('locked_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('response_status', fields.IntField(null=True)),
                ('response_body', fields.BinaryField(null=True)),
                ('created_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'idempotency_key', 'app': 'models', 'unique_together': (('user', 'key'),), 'indexes': [Index(fields=['expires_at'])], 'pk_attr': 'id', 'table_description': "A mutation request made with an Idempotency-Key: its body's hash, and once done,"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MemberEvent',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=new_id, unique=True, db_index=True)),
                ('kind', fields.CharEnumField(description='JOINED: JOINED\nROLE_CHANGED: ROLE_CHANGED\nREMOVED: REMOVED\nLEFT: LEFT', enum_type=MemberEventKind, max_length=16)),
                ('at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('actor', fields.ForeignKeyField('models.User', source_field='actor_id', null=True, db_constraint=True, to_field='id', related_name='member_events_acted', on_delete=OnDelete.SET_NULL)),
                ('domain', fields.ForeignKeyField('models.Domain', source_field='domain_id', db_constraint=True, to_field='id', related_name='member_events', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='member_events', on_delete=OnDelete.CASCADE)),
                ('role', fields.ForeignKeyField('models.Role', source_field='role_id', null=True, db_constraint=True, to_field='id', related_name='member_events', on_delete=OnDelete.RESTRICT)),
                ('previous_role', fields.ForeignKeyField('models.Role', source_field='previous_role_id', null=True, db_constraint=True, to_field='id', related_name='member_events_before', on_delete=OnDelete.RESTRICT)),
                ('position', fields.BigIntField(null=True)),
            ],
            options={'table': 'member_event', 'app': 'models', 'indexes': [Index(fields=['domain_id', 'at', 'id']), Index(fields=['domain_id', 'position'])], 'pk_attr': 'id', 'table_description': "One change of a domain's membership, kept for the domain's member history."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RelayCursor',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('assigned', fields.BigIntField(default=0)),
            ],
            options={'table': 'relay_cursor', 'app': 'models', 'pk_attr': 'id', 'table_description': 'The last position the relay assigned: one row, locked while a relay publishes.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Webhook',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=new_id, unique=True, db_index=True)),
                ('domain', fields.ForeignKeyField('models.Domain', source_field='domain_id', db_constraint=True, to_field='id', related_name='webhooks', on_delete=OnDelete.CASCADE)),
                ('url', fields.CharField(max_length=2048)),
                ('description', fields.CharField(null=True, max_length=500)),
                ('event_mask', fields.BigIntField(default=0)),
                ('secret', fields.CharField(max_length=128)),
                ('enabled', fields.BooleanField(default=True)),
                ('consecutive_failures', fields.IntField(default=0)),
                ('disabled_reason', fields.CharField(null=True, max_length=200)),
                ('created_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'webhook', 'app': 'models', 'indexes': [Index(fields=['domain_id', 'created_at'])], 'pk_attr': 'id', 'table_description': 'An endpoint of a domain that receives its events, signed with its secret.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WebhookDelivery',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=new_id, unique=True, db_index=True)),
                ('webhook', fields.ForeignKeyField('models.Webhook', source_field='webhook_id', db_constraint=True, to_field='id', related_name='deliveries', on_delete=OnDelete.CASCADE)),
                ('event_id', fields.UUIDField()),
                ('event_type', fields.CharField(max_length=40)),
                ('payload', fields.TextField(unique=False)),
                ('status', fields.CharEnumField(default=DeliveryStatus.PENDING, description='PENDING: PENDING\nSUCCEEDED: SUCCEEDED\nFAILED: FAILED', enum_type=DeliveryStatus, max_length=16)),
                ('attempts', fields.IntField(default=0)),
                ('last_status_code', fields.IntField(null=True)),
                ('last_attempt_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('next_attempt_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('locked_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'webhook_delivery', 'app': 'models', 'indexes': [Index(fields=['webhook_id', 'created_at', 'id']), Index(fields=['status', 'next_attempt_at'])], 'pk_attr': 'id', 'table_description': 'One event to deliver to one webhook, written in the transaction of the event.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WebhookAttempt',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=new_id, unique=True, db_index=True)),
                ('delivery', fields.ForeignKeyField('models.WebhookDelivery', source_field='delivery_id', db_constraint=True, to_field='id', related_name='attempts_made', on_delete=OnDelete.CASCADE)),
                ('at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('status_code', fields.IntField(null=True)),
                ('error', fields.CharField(null=True, max_length=500)),
                ('duration_ms', fields.IntField(default=0)),
                ('response_body', fields.TextField(null=True, unique=False)),
            ],
            options={'table': 'webhook_attempt', 'app': 'models', 'indexes': [Index(fields=['delivery_id', 'at'])], 'pk_attr': 'id', 'table_description': 'One try of a delivery: what the receiver answered (at most 1 KiB of it kept).'},
            bases=['Model'],
        ),
        ops.RunSQL(START_RELAY_CURSOR, reverse_sql="DELETE FROM relay_cursor"),
        ops.AddField(
            model_name='Domain',
            name='invitation_ttl_seconds',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='Role',
            name='holds_all_actions',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.RunSQL(ADMINS_HOLD_EVERY_ACTION, reverse_sql=ops.RunSQL.noop),
        ops.AddField(
            model_name='Invitation',
            name='invitee_email',
            field=fields.CharField(null=True, max_length=254),
        ),
        ops.AddField(
            model_name='Invitation',
            name='expires_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Invitation',
            name='message',
            field=fields.TextField(null=True, unique=False),
        ),
        ops.AddField(
            model_name='Invitation',
            name='secret_hash',
            field=fields.CharField(null=True, unique=True, max_length=64),
        ),
        ops.RunPython(backfill_invitations),
        ops.AlterField(
            model_name='Invitation',
            name='invitee',
            field=fields.ForeignKeyField('models.User', source_field='invitee_id', null=True, db_constraint=True, to_field='id', related_name='invitations_received', on_delete=OnDelete.CASCADE),
        ),
        ops.AlterField(
            model_name='Invitation',
            name='invitee_email',
            field=fields.CharField(max_length=254),
        ),
        ops.AlterField(
            model_name='Invitation',
            name='expires_at',
            field=fields.DatetimeField(auto_now=False, auto_now_add=False),
        ),
        ops.AlterField(
            model_name='Invitation',
            name='status',
            field=fields.CharEnumField(description='PENDING: PENDING\nACCEPTED: ACCEPTED\nREJECTED: REJECTED\nEXPIRED: EXPIRED', enum_type=InvitationStatus, max_length=16),
        ),
        ops.AlterModelOptions(
            name='Invitation',
            options={'table': 'invitation', 'app': 'models', 'indexes': [Index(fields=['invitee_id', 'status', 'created_at', 'id']), Index(fields=['domain_id', 'created_at', 'id']), Index(fields=['domain_id', 'status', 'created_at', 'id']), Index(fields=['domain_id', 'invitee_email'])], 'pk_attr': 'id', 'table_description': 'At most one PENDING row per (domain, invitee) and per (domain, invitee_email):'},
        ),
        ops.AddIndex(
            model_name='Invitation',
            index=Index(fields=['domain_id', 'invitee_email']),
        ),
        ops.AddField(
            model_name='InvitationEvent',
            name='invitee_email',
            field=fields.CharField(null=True, max_length=254),
        ),
        ops.AddField(
            model_name='InvitationEvent',
            name='position',
            field=fields.BigIntField(null=True),
        ),
        ops.RunSQL(EVENTS_COPY_INVITEE_EMAIL, reverse_sql=ops.RunSQL.noop),
        ops.AlterField(
            model_name='InvitationEvent',
            name='invitee',
            field=fields.ForeignKeyField('models.User', source_field='invitee_id', null=True, db_constraint=True, to_field='id', related_name='events_received', on_delete=OnDelete.CASCADE),
        ),
        ops.AlterField(
            model_name='InvitationEvent',
            name='invitee_email',
            field=fields.CharField(max_length=254),
        ),
        ops.AlterField(
            model_name='InvitationEvent',
            name='kind',
            field=fields.CharEnumField(description='SENT: SENT\nRESENT: RESENT\nACCEPTED: ACCEPTED\nREJECTED: REJECTED\nDELETED: DELETED\nEXPIRED: EXPIRED\nCLAIMED: CLAIMED', enum_type=InvitationEventKind, max_length=16),
        ),
        ops.AddIndex(
            model_name='InvitationEvent',
            index=Index(fields=['domain_id', 'position']),
        ),
        ops.AddIndex(
            model_name='InvitationEvent',
            index=Index(fields=['invitee_id', 'position']),
        ),
        ops.RunSQL(POSITION_PAST_EVENTS, reverse_sql=ops.RunSQL.noop),
        ops.RunPython(restore_rebuilt_indexes),
        *(ops.RunSQL(sql, reverse_sql=ops.RunSQL.noop) for sql in PARTIAL_INDEXES),
        ops.RunPython(foreign_keys_on),
    ]
