"""the integration API: personal access tokens

Revision ID: 0005_api
Revises: 7c2f9a1d4e60
Create Date: 2026-12-08 10:00:00

"""
from alembic import op
import sqlalchemy as sa

import demo.models


# revision identifiers, used by Alembic.
revision = '0005_api'
down_revision = '7c2f9a1d4e60'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('scope', sa.Enum('leitura', 'escrita', name='tokenscope', native_enum=False, length=20), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('hint', sa.String(length=20), nullable=False),
    sa.Column('created_at', demo.models.UTCDateTime(), nullable=False),
    sa.Column('expires_at', demo.models.UTCDateTime(), nullable=False),
    sa.Column('revoked_at', demo.models.UTCDateTime(), nullable=True),
    sa.Column('last_used_at', demo.models.UTCDateTime(), nullable=True),
    sa.Column('window_started_at', demo.models.UTCDateTime(), nullable=True),
    sa.Column('window_calls', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))
    op.drop_table('api_tokens')
