from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from app.ids import new_id
from app.models import InvitationEventKind, InvitationStatus, utcnow
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='Domain',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=new_id, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=100)),
                ('created_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'domain', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Role',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=new_id, unique=True, db_index=True)),
                ('domain', fields.ForeignKeyField('models.Domain', source_field='domain_id', db_constraint=True, to_field='id', related_name='roles', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=100)),
                ('actions', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('built_in', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'role', 'app': 'models', 'unique_together': (('domain', 'name'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='User',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=new_id, unique=True, db_index=True)),
                ('email', fields.CharField(unique=True, max_length=254)),
                ('name', fields.CharField(max_length=100)),
                ('password_hash', fields.CharField(max_length=200)),
                ('created_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'user', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AuthToken',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=new_id, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='tokens', on_delete=OnDelete.CASCADE)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('created_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'auth_token', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A sign-in session: the token itself is never stored, only its keyed hash.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Invitation',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=new_id, unique=True, db_index=True)),
                ('domain', fields.ForeignKeyField('models.Domain', source_field='domain_id', db_constraint=True, to_field='id', related_name='invitations', on_delete=OnDelete.CASCADE)),
                ('invitee', fields.ForeignKeyField('models.User', source_field='invitee_id', db_constraint=True, to_field='id', related_name='invitations_received', on_delete=OnDelete.CASCADE)),
                ('invited_by', fields.ForeignKeyField('models.User', source_field='invited_by_id', db_constraint=True, to_field='id', related_name='invitations_sent', on_delete=OnDelete.CASCADE)),
                ('role', fields.ForeignKeyField('models.Role', source_field='role_id', db_constraint=True, to_field='id', related_name='invitations', on_delete=OnDelete.RESTRICT)),
                ('status', fields.CharEnumField(description='PENDING: PENDING\nACCEPTED: ACCEPTED\nREJECTED: REJECTED', enum_type=InvitationStatus, max_length=16)),
                ('created_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('confirmed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('rejected_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('resent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('resend_count', fields.IntField(default=0)),
            ],
            options={'table': 'invitation', 'app': 'models', 'indexes': [Index(fields=['invitee_id', 'status', 'created_at', 'id']), Index(fields=['domain_id', 'created_at', 'id']), Index(fields=['domain_id', 'status', 'created_at', 'id'])], 'pk_attr': 'id', 'table_description': 'At most one PENDING row per (domain, invitee): a partial unique index'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='InvitationEvent',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=new_id, unique=True, db_index=True)),
                ('invitation_id', fields.UUIDField()),
                ('kind', fields.CharEnumField(description='SENT: SENT\nRESENT: RESENT\nACCEPTED: ACCEPTED\nREJECTED: REJECTED\nDELETED: DELETED', enum_type=InvitationEventKind, max_length=16)),
                ('at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('actor', fields.ForeignKeyField('models.User', source_field='actor_id', null=True, db_constraint=True, to_field='id', related_name='events_acted', on_delete=OnDelete.SET_NULL)),
                ('domain', fields.ForeignKeyField('models.Domain', source_field='domain_id', db_constraint=True, to_field='id', related_name='invitation_events', on_delete=OnDelete.CASCADE)),
                ('invitee', fields.ForeignKeyField('models.User', source_field='invitee_id', db_constraint=True, to_field='id', related_name='events_received', on_delete=OnDelete.CASCADE)),
                ('role', fields.ForeignKeyField('models.Role', source_field='role_id', db_constraint=True, to_field='id', related_name='events', on_delete=OnDelete.RESTRICT)),
            ],
            options={'table': 'invitation_event', 'app': 'models', 'indexes': [Index(fields=['invitation_id', 'at']), Index(fields=['domain_id', 'at', 'id'])], 'pk_attr': 'id', 'table_description': 'One transition of an invitation. It outlives the invitation it describes,'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Membership',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=new_id, unique=True, db_index=True)),
                ('domain', fields.ForeignKeyField('models.Domain', source_field='domain_id', db_constraint=True, to_field='id', related_name='memberships', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='memberships', on_delete=OnDelete.CASCADE)),
                ('role', fields.ForeignKeyField('models.Role', source_field='role_id', db_constraint=True, to_field='id', related_name='memberships', on_delete=OnDelete.RESTRICT)),
                ('joined_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('invitation', fields.ForeignKeyField('models.Invitation', source_field='invitation_id', null=True, db_constraint=True, to_field='id', related_name='memberships', on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'membership', 'app': 'models', 'unique_together': (('domain', 'user'),), 'indexes': [Index(fields=['domain_id', 'joined_at', 'id']), Index(fields=['user_id', 'joined_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
