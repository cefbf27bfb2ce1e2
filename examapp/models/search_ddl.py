"""Full-text search over article texts, per database.

SQLite: an FTS5 table with the trigram tokenizer (Chinese has no spaces to split words on; trigrams
match any substring of three or more characters), kept in step with `article` by triggers.
PostgreSQL: pg_trgm with a GIN index, which serves `LIKE '%…%'` for terms of three or more characters.
Shorter terms fall back to a plain scan, which on the ~2,300 articles of the shipped laws takes a few
milliseconds. The DDL runs from create_all (tests) and from the migration that introduced it.
"""
from sqlalchemy import DDL, Index, event

from ..extensions import db
from .law import Article

SQLITE_FTS = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS article_fts USING fts5(text, content='article', content_rowid='id', "
    "tokenize='trigram')",
    "CREATE TRIGGER IF NOT EXISTS article_fts_ai AFTER INSERT ON article BEGIN "
    "INSERT INTO article_fts(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER IF NOT EXISTS article_fts_ad AFTER DELETE ON article BEGIN "
    "INSERT INTO article_fts(article_fts, rowid, text) VALUES ('delete', old.id, old.text); END",
    "CREATE TRIGGER IF NOT EXISTS article_fts_au AFTER UPDATE ON article BEGIN "
    "INSERT INTO article_fts(article_fts, rowid, text) VALUES ('delete', old.id, old.text); "
    "INSERT INTO article_fts(rowid, text) VALUES (new.id, new.text); END",
]
SQLITE_FTS_DROP = ["DROP TRIGGER IF EXISTS article_fts_au", "DROP TRIGGER IF EXISTS article_fts_ad",
                   "DROP TRIGGER IF EXISTS article_fts_ai", "DROP TABLE IF EXISTS article_fts"]
PG_EXTENSION = "CREATE EXTENSION IF NOT EXISTS pg_trgm"

TRGM_INDEX = Index("ix_article_text_trgm", Article.text, postgresql_using="gin",
                   postgresql_ops={"text": "gin_trgm_ops"}).ddl_if(dialect="postgresql")

event.listen(db.metadata, "before_create", DDL(PG_EXTENSION).execute_if(dialect="postgresql"))
for statement in SQLITE_FTS:
    event.listen(Article.__table__, "after_create", DDL(statement).execute_if(dialect="sqlite"))


def include_object_for(dialect: str):
    """What Alembic compares: not FTS5's own tables, and the trigram index only on PostgreSQL."""

    def include_object(obj, name, type_, reflected, compare_to) -> bool:
        if type_ == "table" and name and (name.startswith("article_fts") or name == "apscheduler_jobs"):
            return False   # FTS5's own tables, and APScheduler's job store, are not ours to migrate
        if type_ == "index" and name == TRGM_INDEX.name:
            return dialect == "postgresql"
        return True

    return include_object
