"""What the front page shows and filters on per story, and the people quoted.

- ``articles.language``: the cleaner's language of the article (filled from its record);
- ``stories``: ``languages``, ``kinds`` and ``countries`` of its outlets (the outlet
  registry's labels), ``histogram`` (articles per time bin over its span), and ``origins``
  (independent origins, known once the story has been analysed; emptied when it changes);
- ``quotes``: every quote of an analysed story by speaker, grouped by utterance, with the
  verdict of each rendering (what the person pages read).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("language", sa.String(16), nullable=True))
    with op.batch_alter_table("stories") as batch:
        batch.add_column(sa.Column("languages", sa.JSON, nullable=True))
        batch.add_column(sa.Column("kinds", sa.JSON, nullable=True))
        batch.add_column(sa.Column("countries", sa.JSON, nullable=True))
        batch.add_column(sa.Column("histogram", sa.JSON, nullable=True))
        batch.add_column(sa.Column("origins", sa.Integer, nullable=True))
    op.create_table(
        "quotes",
        sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("story_id", sa.String(32), nullable=False),
        sa.Column("person", sa.String(200), nullable=False),
        sa.Column("speaker", sa.Text, nullable=False),
        sa.Column("utterance", sa.String(64), nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Index("ix_quotes_person", "person"),
        sa.Index("ix_quotes_story", "story_id"),
    )
    bind = op.get_bind()
    # The collection's change counter (Collection.generation): made here, so writers only update it.
    bind.execute(sa.text("INSERT INTO settings (key, value) VALUES ('generation', '0')"))
    rows = bind.execute(sa.text("SELECT pk, record FROM articles")).all()
    for pk, record in rows:
        data = json.loads(record) if isinstance(record, str) else record
        bind.execute(sa.text("UPDATE articles SET language = :l WHERE pk = :pk"), {"l": data.get("language"), "pk": pk})


def downgrade() -> None:
    op.execute("DELETE FROM settings WHERE key = 'generation'")
    op.drop_table("quotes")
    with op.batch_alter_table("stories") as batch:
        for name in ("languages", "kinds", "countries", "histogram", "origins"):
            batch.drop_column(name)
    with op.batch_alter_table("articles") as batch:
        batch.drop_column("language")
