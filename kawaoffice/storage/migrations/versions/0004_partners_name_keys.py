"""Partners: the duplicate keys of each organization's names stored (name_keys), filled for existing rows

Revision ID: 0004_partners_name_keys
Revises: 0003_partners_sort_keys
Create Date: 2026-11-24

"""

import unicodedata
from collections.abc import Sequence

import jaconv
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0004_partners_name_keys"
down_revision: str | Sequence[str] | None = "0003_partners_sort_keys"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 2000


# The keys as the services computed them when this revision was written (kawaoffice.services.text.fold and
# partner_search.normalized_name of 2026-11-24), copied here: a migration must fill the rows the same way whatever
# the services become later.
_CORPORATE = ("株式会社", "(株)", "有限会社", "(有)", "co., ltd.", "co.,ltd.", "inc.", "corporation", "ltd.")


def _fold_once(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = jaconv.kata2hira(text)
    text = text.casefold()
    text = unicodedata.normalize("NFKC", text)
    return " ".join(text.split())


def _fold(text: str) -> str:
    result = _fold_once(text)
    for _round in range(4):
        again = _fold_once(result)
        if again == result:
            break
        result = again
    return result


def duplicate_key(name: str | None) -> str:
    if not name:
        return ""
    text = _fold(name)
    for word in _CORPORATE:
        text = text.replace(word, "")
    return "".join(ch for ch in text if ch.isalnum())


def name_keys(name_ja: str | None, name_en: str | None) -> str:
    return duplicate_key(name_ja) + " " + duplicate_key(name_en)


def upgrade() -> None:
    with op.batch_alter_table("organizations") as batch:
        batch.add_column(sa.Column("name_keys", sa.Text(), nullable=True))
    # existing organizations get their keys here (office databases and the cached benchmark ones are upgraded)
    orgs = sa.table(
        "organizations",
        sa.column("id", sa.Integer),
        sa.column("name_ja", sa.String),
        sa.column("name_en", sa.String),
        sa.column("name_keys", sa.Text),
    )
    conn = op.get_bind()
    rows = conn.execute(sa.select(orgs.c.id, orgs.c.name_ja, orgs.c.name_en)).all()
    update = sa.update(orgs).where(orgs.c.id == sa.bindparam("oid")).values(name_keys=sa.bindparam("keys"))
    for start in range(0, len(rows), _BATCH):
        conn.execute(
            update,
            [{"oid": r.id, "keys": name_keys(r.name_ja, r.name_en)} for r in rows[start : start + _BATCH]],
        )


def downgrade() -> None:
    with op.batch_alter_table("organizations") as batch:
        batch.drop_column("name_keys")
