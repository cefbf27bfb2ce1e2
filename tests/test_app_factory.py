"""create_app starts nothing and touches no database; configuration comes from the environment."""
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from examapp import create_app
from examapp.extensions import db

ROOT = Path(__file__).resolve().parent.parent


def test_create_app_opens_no_connection(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": "postgresql://nobody@127.0.0.1:1/none",
                      "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "k"})
    assert "admin" in app.blueprints and not list(tmp_path.glob("*.db"))


def test_secret_key_is_generated_once_into_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("EXAMAPP_INSTANCE_PATH", str(tmp_path))
    first = create_app().config["SECRET_KEY"]
    second = create_app().config["SECRET_KEY"]
    assert first == second and len(first) >= 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_sqlite_pragmas(app):
    if db.engine.dialect.name != "sqlite":
        return
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 15000
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL


def test_writing_services_begin_immediate(app, world):
    if db.engine.dialect.name != "sqlite":
        return
    from sqlalchemy import event

    from examapp.services import org
    seen = []
    listener = lambda conn, cursor, statement, *a: seen.append(statement)  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        db.session.commit()
        org.create_unit(world.admin, code="IMM", name="x", kind="department", parent_id=world.b.id,
                        now=__import__("tests.conftest", fromlist=["NOW"]).NOW)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert "BEGIN IMMEDIATE" in seen


def test_postgres_urls_use_psycopg3():
    from examapp.config import normalize_db_url
    assert normalize_db_url("postgresql://u@h/d") == "postgresql+psycopg://u@h/d"
    assert normalize_db_url("postgres://u@h/d") == "postgresql+psycopg://u@h/d"


def test_unexpected_errors_get_the_500_page(app, world):
    @app.get("/boom")
    def boom():
        raise RuntimeError("secret detail")
    boom.access = __import__("examapp.security", fromlist=["Access"]).Access(public=True)
    r = app.test_client().get("/boom")
    assert r.status_code == 500
    html = r.get_data(as_text=True)
    assert "服务器内部错误" in html and "secret detail" not in html and "Traceback" not in html


def test_console_script_is_the_same_command_group(tmp_path):
    exe = Path(sys.executable).parent / "examapp"
    env = {**os.environ, "EXAMAPP_INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "k",
           "DATABASE_URL": f"sqlite:///{tmp_path}/c.db"}
    out = subprocess.run([str(exe), "--help"], capture_output=True, text=True, env=env, cwd=ROOT, timeout=60)
    assert out.returncode == 0
    for command in ("seed-demo", "users", "units", "audit", "db"):
        assert command in out.stdout


def test_an_id_too_large_for_the_database_is_a_404(login_as):
    c = login_as("admin")
    assert c.get(f"/admin/exams/{2**31}").status_code == 404
    assert c.get(f"/admin/exams/{2**40}/results").status_code == 404
