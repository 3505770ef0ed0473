"""Full-text search over articles: SQLite FTS5 (a contentless index fed by a trigger),
PostgreSQL an expression GIN index over to_tsvector.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SQLITE = [
    "CREATE VIRTUAL TABLE articles_fts USING fts5(title, body, content='', tokenize='unicode61 remove_diacritics 2')",
    """CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
         INSERT INTO articles_fts(rowid, title, body)
         VALUES (new.pk, coalesce(new.title, ''), coalesce(json_extract(new.record, '$.text'), ''));
       END""",
    """INSERT INTO articles_fts(rowid, title, body)
       SELECT pk, coalesce(title, ''), coalesce(json_extract(record, '$.text'), '') FROM articles""",
]
POSTGRESQL = [
    """CREATE INDEX ix_articles_fts ON articles USING gin (
         to_tsvector('simple', coalesce(title, '') || ' ' || coalesce(record->>'text', '')))""",
]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in SQLITE if dialect == "sqlite" else POSTGRESQL if dialect == "postgresql" else []:
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS articles_fts_insert")
        op.execute("DROP TABLE IF EXISTS articles_fts")
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_articles_fts")
