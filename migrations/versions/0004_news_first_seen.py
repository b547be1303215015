"""Digests: when each news file was first seen.

Digests select news by when the bot first saw them, not by the date in the file name (a file
added after that day's digest, or dated back, was never sent). The table starts empty; the
first digest run after this upgrade seeds it from the files' dates (see
`bot.services.digest_content.sync_news_seen`), so news announced before the upgrade are not
announced again. Seeding there rather than here: the migration does not read the knowledge
folder, which is a setting of the running bot.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "digest_news_seen",
        sa.Column("news_id", sa.String(length=255), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("news_id", name=op.f("pk_digest_news_seen")),
    )


def downgrade() -> None:
    op.drop_table("digest_news_seen")
