"""Rendered story reports, by story version: what the web app serves (any worker, any
restart) until the story changes.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "story_reports",
        sa.Column("story_id", sa.String(32), primary_key=True),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("html", sa.Text, nullable=False),
        sa.Column("json", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("story_reports")
