"""Partners: the list's order stored per organization (sort_ja, sort_en, indexed), filled for existing rows

Revision ID: 0003_partners_sort_keys
Revises: 0002_users_roles
Create Date: 2026-11-23

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from kawaoffice.model.partners import organization_sort_key

# revision identifiers, used by Alembic.
revision: str = '0003_partners_sort_keys'
down_revision: str | Sequence[str] | None = '0002_users_roles'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 2000


def upgrade() -> None:
    sort_type = sa.Text().with_variant(sa.Text(collation="C"), "postgresql")
    with op.batch_alter_table('organizations') as batch:
        batch.add_column(sa.Column('sort_ja', sort_type, nullable=False, server_default=''))
        batch.add_column(sa.Column('sort_en', sort_type, nullable=False, server_default=''))
    # existing organizations get their keys here (office databases and the cached benchmark ones are upgraded)
    orgs = sa.table(
        'organizations',
        sa.column('id', sa.Integer),
        sa.column('name_kana', sa.String),
        sa.column('name_ja', sa.String),
        sa.column('name_en', sa.String),
        sa.column('sort_ja', sa.Text),
        sa.column('sort_en', sa.Text),
    )
    conn = op.get_bind()
    rows = conn.execute(sa.select(orgs.c.id, orgs.c.name_kana, orgs.c.name_ja, orgs.c.name_en)).all()
    update = (
        sa.update(orgs)
        .where(orgs.c.id == sa.bindparam('oid'))
        .values(sort_ja=sa.bindparam('ja'), sort_en=sa.bindparam('en'))
    )
    for start in range(0, len(rows), _BATCH):
        conn.execute(
            update,
            [
                {
                    'oid': r.id,
                    'ja': organization_sort_key('ja', r.name_kana or '', r.name_ja or '', r.name_en or ''),
                    'en': organization_sort_key('en', r.name_kana or '', r.name_ja or '', r.name_en or ''),
                }
                for r in rows[start : start + _BATCH]
            ],
        )
    op.create_index('ix_organizations_sort_ja', 'organizations', ['sort_ja', 'id'])
    op.create_index('ix_organizations_sort_en', 'organizations', ['sort_en', 'id'])


def downgrade() -> None:
    op.drop_index('ix_organizations_sort_en', table_name='organizations')
    op.drop_index('ix_organizations_sort_ja', table_name='organizations')
    with op.batch_alter_table('organizations') as batch:
        batch.drop_column('sort_en')
        batch.drop_column('sort_ja')
