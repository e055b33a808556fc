"""Partners: the list's order stored per organization (sort_ja, sort_en, indexed), filled for existing rows

Revision ID: 0003_partners_sort_keys
Revises: 0002_users_roles
Create Date: 2026-11-23

"""
import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0003_partners_sort_keys'
down_revision: str | Sequence[str] | None = '0002_users_roles'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 2000


# The sort keys as the model computed them when this revision was written (kawaoffice.model.partners
# organization_sort_key and kawaoffice.i18n.kana_sort_key of 2026-11-23), copied here: a migration must fill the
# rows the same way whatever the model becomes later.
_SORT_SEPARATOR = "\x01"
_SMALL_KANA = str.maketrans("ァィゥェォッャュョヮヵヶ", "アイウエオツヤユヨワカケ")


def _kana_sort_key(text: str) -> tuple[str, str]:
    folded = unicodedata.normalize("NFKC", text).casefold()
    kata = "".join(chr(ord(c) + 0x60) if "\u3041" <= c <= "\u3096" else c for c in folded)
    base = unicodedata.normalize("NFD", kata)
    primary = "".join(
        c for c in base if c not in "\u3099\u309a\u30fc\u30fb・ -()（）" and not c.isspace()
    ).translate(_SMALL_KANA)
    return unicodedata.normalize("NFC", primary), kata


def organization_sort_key(language: str, name_kana: str, name_ja: str, name_en: str) -> str:
    if language == "ja":
        parts: tuple[str, ...] = (*_kana_sort_key(name_kana or name_ja), name_ja)
    else:
        parts = ((name_en or name_ja).casefold(), name_ja)
    return _SORT_SEPARATOR.join(parts)


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
