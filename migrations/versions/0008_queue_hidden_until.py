"""queue hidden until

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 06:40:00.000000

The queue used to look up each candidate's snooze or dismissal while scoring,
which costs a lookup per candidate (or a hash of the tenant's every decision).
The last day of the decision in force is now a column of the candidate,
``queue_hidden_until``, carried by the queue's covering index.

Existing data: a dismissal that a newer interaction already ended is removed
(recording an interaction now does that), then each remaining decision's last
day is copied to its candidate. Downgrading drops the column; the decisions
stay as they are.

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

QUEUE_COLUMNS = ['id', 'status', 'last_contact_at', 'next_follow_up_on', 'contract_end_date',
                 'best_match_score', 'created_at']

ENDED_DISMISSALS = """
DELETE FROM queue_decisions WHERE decision = 'dismiss' AND EXISTS (
  SELECT 1 FROM interactions i WHERE i.tenant_id = queue_decisions.tenant_id
    AND i.candidate_id = queue_decisions.candidate_id
    AND i.occurred_at > queue_decisions.created_at)
"""
COPY_LAST_DAY = """
UPDATE candidates SET queue_hidden_until = (
  SELECT max(d.active_until) FROM queue_decisions d
  WHERE d.tenant_id = candidates.tenant_id AND d.candidate_id = candidates.id)
WHERE EXISTS (SELECT 1 FROM queue_decisions d
              WHERE d.tenant_id = candidates.tenant_id AND d.candidate_id = candidates.id)
"""


def upgrade():
    with op.batch_alter_table('candidates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('queue_hidden_until', sa.Date(), nullable=True))
        batch_op.drop_index('ix_candidates_queue', postgresql_include=QUEUE_COLUMNS)
        batch_op.create_index('ix_candidates_queue', ['tenant_id', 'owner_id'], unique=False,
                              postgresql_include=[*QUEUE_COLUMNS, 'queue_hidden_until'])
    op.execute(ENDED_DISMISSALS)
    op.execute(COPY_LAST_DAY)


def downgrade():
    with op.batch_alter_table('candidates', schema=None) as batch_op:
        batch_op.drop_index('ix_candidates_queue',
                            postgresql_include=[*QUEUE_COLUMNS, 'queue_hidden_until'])
        batch_op.create_index('ix_candidates_queue', ['tenant_id', 'owner_id'], unique=False,
                              postgresql_include=QUEUE_COLUMNS)
        batch_op.drop_column('queue_hidden_until')
