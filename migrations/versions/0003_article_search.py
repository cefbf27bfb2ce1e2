"""article search: FTS5 trigram table on SQLite, pg_trgm GIN index on PostgreSQL

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 04:40:00

"""
from alembic import op

from examapp.models.search_ddl import PG_EXTENSION, SQLITE_FTS, SQLITE_FTS_DROP

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in SQLITE_FTS:
            op.execute(statement)
        op.execute("INSERT INTO article_fts(article_fts) VALUES ('rebuild')")  # index existing articles
    elif dialect == "postgresql":
        op.execute(PG_EXTENSION)
        op.execute("CREATE INDEX IF NOT EXISTS ix_article_text_trgm ON article USING gin (text gin_trgm_ops)")


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in SQLITE_FTS_DROP:
            op.execute(statement)
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_article_text_trgm")
