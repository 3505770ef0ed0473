"""The collection: articles, stories, story events, ingests, settings.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ingests",
        sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("inputs", sa.JSON, nullable=False),
        sa.Column("added", sa.Integer, nullable=False),
        sa.Column("duplicates", sa.Integer, nullable=False),
        sa.Column("skipped", sa.Integer, nullable=False),
    )
    op.create_table(
        "articles",
        sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(64), nullable=False, unique=True),
        sa.Column("url", sa.Text, nullable=True),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("outlet", sa.String(200), nullable=True),
        sa.Column("title", sa.Text, nullable=True),
        sa.Column("published", sa.String(40), nullable=True),
        sa.Column("day", sa.Float, nullable=False),
        sa.Column("dated", sa.Integer, nullable=False),
        sa.Column("text_hash", sa.String(40), nullable=False, unique=True),
        sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("record", sa.JSON, nullable=False),
        sa.Column("features", sa.LargeBinary, nullable=False),
        sa.Column("neighbours", sa.JSON, nullable=False),
        sa.Column("story_id", sa.String(32), nullable=True),
        sa.Column("why", sa.JSON, nullable=True),
    )
    op.create_index("ix_articles_url", "articles", ["url"])
    op.create_index("ix_articles_day", "articles", ["day"])
    op.create_index("ix_articles_story", "articles", ["story_id"])
    op.create_table(
        "stories",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("title", sa.Text, nullable=True),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("outlets", sa.JSON, nullable=False),
        sa.Column("first_published", sa.String(40), nullable=True),
        sa.Column("last_published", sa.String(40), nullable=True),
        sa.Column("last_day", sa.Float, nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_stories_last_seen", "stories", ["last_seen"])
    op.create_index("ix_stories_last_day", "stories", ["last_day"])
    op.create_table(
        "story_events",
        sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("ingest", sa.Integer, sa.ForeignKey("ingests.pk"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("story_id", sa.String(32), nullable=False),
        sa.Column("article_id", sa.String(64), nullable=True),
        sa.Column("stories", sa.JSON, nullable=False),
        sa.Column("evidence", sa.JSON, nullable=False),
    )
    op.create_index("ix_story_events_story", "story_events", ["story_id"])
    op.create_table(
        "settings",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )


def downgrade() -> None:
    for table in ("settings", "story_events", "stories", "articles", "ingests"):
        op.drop_table(table)
