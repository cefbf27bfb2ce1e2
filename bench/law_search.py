"""Benchmark: article search on the Civil Code — the indexed path against a plain LIKE scan.

Runs on SQLite (FTS5 trigram) and, with TEST_DATABASE_URL, on PostgreSQL (pg_trgm GIN). For each term
it times the application's search (law_reader.search: count + first page, joined to the law's current
version) with the index, the same search with a LIKE scan instead of the index, and, as the baseline
measured in the same run on the same data, the raw SQL `SELECT id FROM article WHERE text LIKE '%term%'`.
Appends its table to docs/benchmarks.md.

    .venv/bin/python bench/law_search.py            # SQLite
    TEST_DATABASE_URL=postgresql://postgres@127.0.0.1/test .venv/bin/python bench/law_search.py
"""
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("EXAMAPP_CONFIG", "testing")

from sqlalchemy import text  # noqa: E402

from examapp import create_app  # noqa: E402
from examapp.extensions import db  # noqa: E402
from examapp.models import AuditHead  # noqa: E402
from examapp.services import law_reader, laws  # noqa: E402

LAWS = Path(os.environ.get("EXAMAPP_LAWS_DIR", ROOT.parent / "shared" / "laws"))
TERMS = ["合同", "监护人", "个人信息", "善意相对人", "不动产登记簿"]
REPEAT, ROUNDS = 50, 3


def timed(fn) -> float:
    """Median over ROUNDS of the mean time of REPEAT calls, in milliseconds (after one warm-up call)."""
    fn()
    rounds = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        for _ in range(REPEAT):
            fn()
        rounds.append((time.perf_counter() - start) * 1000 / REPEAT)
    return statistics.median(rounds)


def _like_only(term: str):
    """The search's condition without any index: what the index is measured against."""
    from examapp.models import Article
    return Article.text.like(f"%{term}%")


def main() -> None:
    tmp = tempfile.mkdtemp()
    url = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp}/bench.db"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": tmp, "SECRET_KEY": "bench"})
    rows = []
    with app.app_context():
        if not url.startswith("sqlite"):
            db.drop_all()
        db.create_all()
        db.session.add(AuditHead(id=1, seq=0, hash="0" * 64))
        db.session.commit()
        laws.import_law("bench", "civil_code.md", (LAWS / "civil_code.md").read_bytes(), now=datetime(2026, 1, 1))
        dialect = db.engine.dialect.name
        version = db.session.execute(text("select sqlite_version()" if dialect == "sqlite" else "show server_version")
                                     ).scalar()
        indexed = law_reader._matching
        for term in TERMS:
            total, _hits = law_reader.search(term, law_code="civil_code")
            app_ms = timed(lambda term=term: law_reader.search(term, law_code="civil_code"))
            law_reader._matching = _like_only
            scan_ms = timed(lambda term=term: law_reader.search(term, law_code="civil_code"))
            law_reader._matching = indexed
            raw_ms = timed(lambda term=term: db.session.execute(
                text("SELECT id FROM article WHERE text LIKE :q"), {"q": f"%{term}%"}).all())
            rows.append((f"{len(term)} chars", term, total, app_ms, scan_ms, raw_ms))
        db.session.remove()  # end the session's read transaction before dropping the tables it read
        if dialect != "sqlite":  # leave the shared PostgreSQL test database empty; a SQLite file just goes
            db.drop_all()
            db.session.commit()
    lines = [f"\n## Law search on the Civil Code ({dialect} {version}) — {datetime.now():%Y-%m-%d %H:%M}",
             f"Machine: {platform.node()} · {platform.machine()} · {os.cpu_count()} cores · Python "
             f"{platform.python_version()} · SQLite library {sqlite3.sqlite_version}",
             f"Median of {ROUNDS} rounds of {REPEAT} searches, after a warm-up. Baseline: the raw SQL LIKE scan of all "
             "1,260 articles in the same run (no join, no count, no ordering).", "",
             "| term | length | hits | search, indexed (ms) | search, LIKE scan (ms) | raw LIKE query (ms) "
             "| indexed ÷ raw |", "|---|---|---|---|---|---|---|"]
    for label, term, total, app_ms, scan_ms, raw_ms in rows:
        lines.append(f"| {term} | {label} | {total} | {app_ms:.2f} | {scan_ms:.2f} | {raw_ms:.2f} "
                     f"| {app_ms / raw_ms:.2f} |")
    report = "\n".join(lines) + "\n"
    print(report)
    out = ROOT / "docs" / "benchmarks.md"
    if not out.exists():
        out.write_text("# Benchmarks\n\nEach section is one run of a script in bench/, newest last.\n", "utf-8")
    with out.open("a", encoding="utf-8") as fh:
        fh.write(report)


if __name__ == "__main__":
    main()
