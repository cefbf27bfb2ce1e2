"""The migrations build the schema the models describe; the English catalog is complete."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from babel.messages.pofile import read_po
from sqlalchemy import create_engine, text

from examapp.extensions import db
from examapp.models.search_ddl import include_object_for

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("TEST_DATABASE_URL", "")


def upgrade(url: str, tmp_path) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url, "EXAMAPP_INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "m"}
    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def schema_diff(url: str):
    engine = create_engine(url)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"include_object": include_object_for(conn.dialect.name)})
        diff = compare_metadata(ctx, db.metadata)
    engine.dispose()
    return diff


def test_migrations_match_the_models_on_sqlite(tmp_path):
    url = f"sqlite:///{tmp_path}/m.db"
    result = upgrade(url, tmp_path)
    assert result.returncode == 0, result.stderr
    assert schema_diff(url) == []


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL not configured")
def test_migrations_match_the_models_on_postgresql(tmp_path):
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS examapp_migration_test"))
        conn.execute(text("CREATE DATABASE examapp_migration_test"))
    url = PG_URL.rsplit("/", 1)[0] + "/examapp_migration_test"
    try:
        result = upgrade(url, tmp_path)
        assert result.returncode == 0, result.stderr
        assert schema_diff(url.replace("postgresql://", "postgresql+psycopg://")) == []
    finally:
        with admin.connect() as conn:
            conn.execute(text("DROP DATABASE IF EXISTS examapp_migration_test WITH (FORCE)"))
        admin.dispose()


def test_english_catalog_translates_every_message(tmp_path):
    pot = tmp_path / "messages.pot"
    pybabel = Path(sys.executable).parent / "pybabel"
    fresh = subprocess.run([str(pybabel), "extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext",
                            "--no-location", "-o", str(pot), "."],
                           cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert fresh.returncode == 0, fresh.stderr
    with pot.open(encoding="utf-8") as fh:
        wanted = {m.id for m in read_po(fh) if m.id}
    assert len(wanted) > 100
    with open(ROOT / "examapp/translations/en/LC_MESSAGES/messages.po", encoding="utf-8") as fh:
        catalog = read_po(fh)
    translated = {m.id for m in catalog if m.id and m.string and not m.fuzzy}
    missing = sorted(str(x) for x in wanted - translated)
    assert missing == [], f"untranslated (run `make extract-messages` and translate): {missing[:20]}"


def test_english_translations_format_like_their_chinese_originals():
    """Templates format every translation with %: a lone % in the English text is a 500 on that page, and a
    placeholder missing from the English loses the figure."""
    import re
    placeholder = re.compile(r"%\([a-z_]+\)[sd]")
    with open(ROOT / "examapp/translations/en/LC_MESSAGES/messages.po", encoding="utf-8") as fh:
        catalog = read_po(fh)
    bad = []
    for m in catalog:
        if not m.id or not m.string or isinstance(m.id, tuple):
            continue
        lone = placeholder.sub("", m.string).replace("%%", "")
        if "%" in lone or set(placeholder.findall(m.id)) != set(placeholder.findall(m.string)):
            bad.append((m.id, m.string))
    assert bad == []
