"""Watched sources, versions of an article, and alerts (issue 18).

- ``sources``: each watched source's state (conditional-GET validators, when it is next due,
  errors in a row, what it brought), so that a restarted watcher goes on where it stopped;
- ``watch_items``: the items (canonical URLs) each source has listed and whether they were
  taken, so that nothing is fetched twice;
- ``articles.changed_at``: when its latest version came (a story changes with it);
- ``article_versions``: every text an article's URL has had, with when it was fetched;
- ``alerts`` and ``alert_events``: saved watches and what they fired, once per event
  (``key`` unique per alert), with the state of the webhook delivery.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("changed_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "sources",
        sa.Column("name", sa.String(200), primary_key=True),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("etag", sa.Text, nullable=True),
        sa.Column("last_modified", sa.Text, nullable=True),
        sa.Column("last_fetch", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_status", sa.Text, nullable=True),
        sa.Column("next_due", sa.Float, nullable=False, server_default="0"),
        sa.Column("errors", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("articles", sa.Integer, nullable=False, server_default="0"),
        sa.Column("versions", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_table(
        "watch_items",
        sa.Column("source", sa.String(200), primary_key=True),
        sa.Column("url", sa.String(2000), primary_key=True),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
    )
    op.create_table(
        "article_versions",
        sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("article_id", sa.String(64), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("text_hash", sa.String(40), nullable=False),
        sa.Column("record", sa.JSON, nullable=False),
        sa.UniqueConstraint("article_id", "number", name="uq_article_versions"),
    )
    op.create_table(
        "alerts",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("target", sa.Text, nullable=True),
        sa.Column("threshold", sa.Integer, nullable=True),
        sa.Column("webhook", sa.Text, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "alert_events",
        sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("alert_id", sa.String(32), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("fired_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("story_id", sa.String(32), nullable=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("delivered", sa.Integer, nullable=False, server_default="0"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt", sa.Float, nullable=False, server_default="0"),
        sa.UniqueConstraint("alert_id", "key", name="uq_alert_events"),
        sa.Index("ix_alert_events_alert", "alert_id"),
    )
    op.execute("INSERT INTO settings (key, value) VALUES ('alerts_cursor', '0')")


def downgrade() -> None:
    op.execute("DELETE FROM settings WHERE key = 'alerts_cursor'")
    for table in ("alert_events", "alerts", "article_versions", "watch_items", "sources"):
        op.drop_table(table)
    with op.batch_alter_table("articles") as batch:
        batch.drop_column("changed_at")
