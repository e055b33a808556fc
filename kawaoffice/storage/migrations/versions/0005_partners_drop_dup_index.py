"""Partners: the index on organization_technologies.organization_id dropped (the unique constraint on
(organization_id, technology_id) starts with the same column and serves the same look-ups: the second index only
cost every write, e.g. ~10 % of the server's work on the links of a 10,000-row import)

Revision ID: 0005_partners_drop_dup_index
Revises: 0004_partners_name_keys
Create Date: 2026-11-23

"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0005_partners_drop_dup_index"
down_revision: str | Sequence[str] | None = "0004_partners_name_keys"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_organization_technologies_organization_id", table_name="organization_technologies")


def downgrade() -> None:
    op.create_index(
        "ix_organization_technologies_organization_id", "organization_technologies", ["organization_id"]
    )
