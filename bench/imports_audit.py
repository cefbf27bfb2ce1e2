"""Benchmarks B7 and B8 (QUALITY.md): bulk imports, and the audit chain's cost.

B7 — import 10,000 questions and 50,000 people (targets ≤ 5 s / ≤ 10 s, and ≤ 3 × a raw executemany):
  service   `bank.import_bank_file` (what `bank import` and the admin bank upload's apply step run) on a
            generated YAML bank of 10,000 questions citing articles of the Civil Code (imported first with
            `laws.import_law`), and `imports.run("people", ...)` (what `users import FILE` and the admin
            批量导入 apply step run) on a generated 50,000-row roster (.csv, and the same roster as .xlsx) whose
            units exist (200 units, created first with the units import);
  baseline  the same rows inserted into the same tables with SQLAlchemy Core executemany (ids assigned by the
            bench, rows prepared before the clock starts): no parsing, no validation, no audit events.
B8 — the audit chain (targets: overhead ≤ 20 %; `audit verify` over 1,000,000 events ≤ 30 s):
  overhead  the same service calls with `services.audit.record`/`record_many` as they are, and with both
            replaced by no-ops (the same rows, no audit event, no head row lock), alternated with B7's runs:
            B7's bank import (10,000 audited creations) and .csv roster import (50,000), both `record_many`,
            and 1,000 single-person edits through `users.update_user`, each its own transaction (`record`, the
            per-request path);
  verify    1,000,000 chained events generated with the domain's `row_payload`/`chain_hash` and bulk inserted
            (COPY on PostgreSQL), the head row set; `services.audit.verify()` timed against a raw scan of the
            same rows (one cursor, ordered by seq, no hashing).
Every service run starts from the same state: after each run the rows it added are deleted and the audit head
row is put back. Schema by the migrations (as `flask db upgrade`). PostgreSQL: the database bench_b78 (or
--pg-database / $BENCH_B78_DATABASE) is dropped and created.

    .venv/bin/python bench/imports_audit.py             # full size, SQLite and PostgreSQL (see below)
    .venv/bin/python bench/imports_audit.py --small     # smoke run (one tenth; does not touch the docs)
    .venv/bin/python bench/imports_audit.py --profile   # + cProfile of each service call and of verify

A full run takes about 11 minutes on the 2-core machine (load 1–5), 18 with --profile while another benchmark
loaded it (load 5–10); most of it is the 3 × 3 alternated imports and the 1M-event verify on each database. The
docs (sections B7 and B8 of docs/benchmarks.md) are written only at full size (or with --write); the
hand-written notes after each section's notes marker are kept.
"""
import argparse
import contextlib
import cProfile
import csv
import io
import os
import platform
import pstats
import random
import shutil
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

import flask_migrate  # noqa: E402
import sqlalchemy  # noqa: E402
import yaml  # noqa: E402
from databases import drop_pg, fresh_pg  # noqa: E402
from docs_section import machine, write_section  # noqa: E402
from openpyxl import Workbook  # noqa: E402
from sqlalchemy import bindparam, text  # noqa: E402

from examapp import create_app  # noqa: E402
from examapp.config import Config  # noqa: E402
from examapp.domain.audit_chain import GENESIS, canonical_json, chain_hash, row_payload  # noqa: E402
from examapp.extensions import db  # noqa: E402
from examapp.models import AuditEvent  # noqa: E402
from examapp.services import audit, bank, imports, laws, users  # noqa: E402
from examapp.services.actors import SystemActor  # noqa: E402

PG_SERVER = "postgresql://postgres@127.0.0.1:5432/"
PG_DATABASE = os.environ.get("BENCH_B78_DATABASE", "bench_b78")   # --pg-database
LAWS_DIR = Path(os.environ.get("EXAMAPP_LAWS_DIR", ROOT.parent / "shared" / "laws"))
LAW = "civil_code"
NOW = datetime(2026, 11, 27, 2, 0)
PASSWORD = "Bench-Import-2026!"
UNITS = 200
FULL = dict(questions=10_000, people=50_000, single=1_000, events=1_000_000)
SMALL = dict(questions=1_000, people=5_000, single=100, events=100_000)


# -- input files ---------------------------------------------------------------------------------------------

def bank_yaml(n: int, articles: list[int], seed: int = 7) -> bytes:
    """A valid bank of n questions (single, multiple, judge, fill) citing existing articles of the law."""
    rng = random.Random(seed)
    words = "法律行政许可处罚合同权利义务责任程序公开公平公正监督执行登记审查决定申请期限"
    questions = []
    for i in range(1, n + 1):
        cited = sorted(rng.sample(articles, rng.choice((1, 1, 2, 3))))
        salt = "".join(rng.choice(words) for _ in range(6))
        stem = f"第{i}题（{salt}）：依照《民法典》第{cited[0]}条，下列说法正确的是（  ）。"
        kind = ("single", "multiple", "judge", "fill")[i % 4]
        q = {"id": f"bseven-{i:05d}", "type": kind, "difficulty": rng.randint(1, 3), "stem": stem}
        if kind == "single":
            q["options"], q["answer"] = [f"选项{c}{salt}" for c in "甲乙丙丁"], rng.choice("ABCD")
        elif kind == "multiple":
            q["options"], q["answer"] = [f"选项{c}{salt}" for c in "甲乙丙丁戊"], "".join(sorted(rng.sample("ABCDE", 2)))
        elif kind == "judge":
            q["answer"] = rng.random() < 0.5
        else:
            q["stem"] = f"第{i}题（{salt}）：依照《民法典》第{cited[0]}条，当事人应当遵循____原则。"
            q["answer"] = [["诚信", "诚实信用"]]
        q["articles"] = cited
        q["explanation"] = f"《民法典》第{cited[0]}条的规定（{salt}）。"
        q["tags"] = [f"第{cited[0] // 100 + 1}编", "基准"]
        questions.append(q)
    doc = {"law": LAW, "title": "中华人民共和国民法典", "questions": questions}
    return yaml.dump(doc, allow_unicode=True, sort_keys=False, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper)
                     ).encode("utf-8")


def units_csv() -> bytes:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["单位编码", "单位名称", "上级单位编码", "单位类型", "排序"])
    w.writerow(["B7", "基准市局", "", "局机关", 0])
    for i in range(1, UNITS):
        parent = "B7" if i <= 20 else f"B7-{(i - 21) % 20 + 1:03d}"
        w.writerow([f"B7-{i:03d}", f"基准单位{i}", parent, "区县局" if i <= 20 else "内设科室", i])
    return out.getvalue().encode("utf-8")


def people_rows(n: int, prefix: str, seed: int = 8) -> list[list[str]]:
    rng = random.Random(seed)
    header = ["工号", "姓名", "单位编码", "职务", "邮箱", "在编在岗", "执法岗位", "监督岗位", "领导干部", "角色", "状态"]
    rows = [header]
    surnames, given = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗", "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚"
    for i in range(1, n + 1):
        unit = f"B7-{rng.randint(1, UNITS - 1):03d}"
        name = rng.choice(surnames) + rng.choice(given) + rng.choice(given)
        roles = "学员、单位管理员" if rng.random() < 0.01 else "学员"
        rows.append([f"{prefix}{i:06d}", name, unit, rng.choice(("科员", "副科长", "科长", "")),
                     f"{prefix}{i:06d}@example.gov.cn" if rng.random() < 0.3 else "",
                     "否" if rng.random() < 0.02 else "是", "是" if rng.random() < 0.1 else "否",
                     "是" if rng.random() < 0.02 else "否", "是" if rng.random() < 0.05 else "否", roles, "在用"])
    return rows


def as_csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


def as_xlsx(rows: list[list[str]]) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("人员")
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def audit_chain(n: int) -> tuple[list[tuple], str]:
    """n valid chained events from GENESIS, hashed by the domain's own functions; rows and the last hash."""
    rng = random.Random(9)
    actions = [("user.update", "user"), ("attempt.submit", "attempt"), ("question.update", "question"),
               ("certificate.issue", "certificate"), ("exam.publish", "exam"), ("login.fail", "user")]
    rows, prev = [], GENESIS
    at0 = datetime(2026, 1, 1)
    for seq in range(1, n + 1):
        action, kind = actions[seq % len(actions)]
        at = at0.replace(microsecond=seq % 1_000_000)
        oid = str(rng.randint(1, 60_000))
        data = canonical_json({"username": f"u{oid}", "changes": {"position": ["科员", "副科长"]}, "n": seq})
        actor_id = 1 + seq % 24
        fields = dict(seq=seq, at=at, actor_id=actor_id, actor_name=f"admin{actor_id}", action=action,
                      object_type=kind, object_id=oid, data_json=data, prev_hash=prev)
        digest = chain_hash(prev, row_payload(**fields))
        rows.append((seq, at, actor_id, fields["actor_name"], action, kind, oid, data, prev, digest))
        prev = digest
    return rows, prev


AUDIT_COLUMNS = ["seq", "at", "actor_id", "actor_name", "action", "object_type", "object_id", "data_json",
                 "prev_hash", "hash"]
RAW_SCAN = ("SELECT seq, at, actor_id, actor_name, action, object_type, object_id, data_json, prev_hash, hash "
            "FROM audit_event ORDER BY seq")


# -- database state ------------------------------------------------------------------------------------------

def create_database(dialect: str, pg_server: str, tmp: str) -> str:
    if dialect == "sqlite":
        return f"sqlite:///{tmp}/bench_b78.db"
    return fresh_pg(pg_server, PG_DATABASE)


class State:
    """The seeded state every timed run starts from; `reset()` deletes what a run added."""

    def __init__(self, law_id: int):
        self.law_id = law_id
        self.mark()

    def mark(self) -> None:
        with db.engine.connect() as conn:
            self.head = conn.execute(text("SELECT seq, hash FROM audit_head WHERE id = 1")).one()
            self.max_user = conn.execute(text('SELECT COALESCE(max(id), 0) FROM "user"')).scalar()
            self.max_question = conn.execute(text("SELECT COALESCE(max(id), 0) FROM question")).scalar()
            self.max_version = conn.execute(text("SELECT COALESCE(max(id), 0) FROM question_version")).scalar()
            self.max_role = conn.execute(text("SELECT COALESCE(max(id), 0) FROM user_role")).scalar()

    def reset(self) -> None:
        db.session.remove()
        with db.engine.begin() as conn:
            q = {"q": self.max_question}
            conn.execute(text("DELETE FROM question_article WHERE question_id > :q"), q)
            conn.execute(text("UPDATE question SET current_version_id = NULL WHERE id > :q"), q)
            conn.execute(text("DELETE FROM question_version WHERE question_id > :q"), q)
            conn.execute(text("DELETE FROM question WHERE id > :q"), q)
            conn.execute(text("DELETE FROM user_role WHERE user_id > :u"), {"u": self.max_user})
            conn.execute(text('DELETE FROM "user" WHERE id > :u'), {"u": self.max_user})
            conn.execute(text("DELETE FROM audit_event WHERE seq > :s"), {"s": self.head.seq})
            conn.execute(text("UPDATE audit_head SET seq = :s, hash = :h WHERE id = 1"),
                         {"s": self.head.seq, "h": self.head.hash})
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text('VACUUM ANALYZE question, question_version, question_article, "user", user_role, '
                                  "audit_event, audit_head"))

    def counts(self) -> dict[str, int]:
        with db.engine.connect() as conn:
            q, u = {"q": self.max_question}, {"u": self.max_user}
            return {
                "question": conn.execute(text("SELECT count(*) FROM question WHERE id > :q AND current_version_id "
                                              "IS NOT NULL"), q).scalar(),
                "question_version": conn.execute(text("SELECT count(*) FROM question_version WHERE question_id > :q"),
                                                 q).scalar(),
                "question_article": conn.execute(text("SELECT count(*) FROM question_article WHERE question_id > :q"),
                                                 q).scalar(),
                "user": conn.execute(text('SELECT count(*) FROM "user" WHERE id > :u'), u).scalar(),
                "user_role": conn.execute(text("SELECT count(*) FROM user_role WHERE user_id > :u"), u).scalar(),
                "audit_event": conn.execute(text("SELECT count(*) FROM audit_event WHERE seq > :s"),
                                            {"s": self.head.seq}).scalar(),
            }


# -- the baselines: Core executemany of the same rows --------------------------------------------------------

def question_rows(doc, state: State) -> dict[str, list[dict]]:
    """The rows the bank import stores for the parsed file, with ids assigned here."""
    questions, versions, articles, links = [], [], [], []
    for i, q in enumerate(doc.questions, start=1):
        qid, vid = state.max_question + i, state.max_version + i
        questions.append({"id": qid, "ext_id": q["id"], "law_id": state.law_id, "current_version_id": None,
                          "status": "active", "review_reason": "", "created_at": NOW, "updated_at": NOW})
        versions.append({"id": vid, "question_id": qid, "version": 1, "created_at": NOW, "created_by": "bench",
                         **bank.version_fields(q)})
        links.append({"b_id": qid, "b_vid": vid})
        articles.extend({"question_id": qid, "article_number": n, "law_id": state.law_id} for n in q["articles"])
    return {"question": questions, "question_version": versions, "question_article": articles, "links": links}


def raw_questions(rows: dict[str, list[dict]]) -> None:
    question = db.metadata.tables["question"]
    with db.engine.begin() as conn:
        conn.execute(question.insert(), rows["question"])
        conn.execute(db.metadata.tables["question_version"].insert(), rows["question_version"])
        conn.execute(question.update().where(question.c.id == bindparam("b_id"))
                     .values(current_version_id=bindparam("b_vid")), rows["links"])
        conn.execute(db.metadata.tables["question_article"].insert(), rows["question_article"])


def people_raw_rows(table_rows: list[list[str]], state: State, unit_ids: dict[str, int], password_hash: str
                    ) -> dict[str, list[dict]]:
    header, people, roles = table_rows[0], [], []
    col = {h: i for i, h in enumerate(header)}
    for i, r in enumerate(table_rows[1:], start=1):
        uid, unit = state.max_user + i, unit_ids[r[col["单位编码"]]]
        people.append({"id": uid, "username": r[col["工号"]], "name": r[col["姓名"]], "unit_id": unit,
                       "position": r[col["职务"]], "email": r[col["邮箱"]], "password_hash": password_hash,
                       "must_change_password": True, "session_version": 1, "active": True, "created_at": NOW,
                       "on_post": r[col["在编在岗"]] == "是", "is_enforcement": r[col["执法岗位"]] == "是",
                       "is_supervision": r[col["监督岗位"]] == "是", "is_leader": r[col["领导干部"]] == "是"})
        roles.append({"id": state.max_role + len(roles) + 1, "user_id": uid, "role": "employee",
                      "scope_unit_id": None})
        if "单位管理员" in r[col["角色"]]:
            roles.append({"id": state.max_role + len(roles) + 1, "user_id": uid, "role": "unit_admin",
                          "scope_unit_id": unit})
    return {"user": people, "user_role": roles}


def raw_people(rows: dict[str, list[dict]]) -> None:
    with db.engine.begin() as conn:
        conn.execute(db.metadata.tables["user"].insert(), rows["user"])
        conn.execute(db.metadata.tables["user_role"].insert(), rows["user_role"])


# -- measuring -----------------------------------------------------------------------------------------------

@contextlib.contextmanager
def audit_off():
    """services.audit.record/record_many as no-ops: the same service call without the audit events."""
    saved = audit.record, audit.record_many
    audit.record = lambda *args, **kwargs: None
    audit.record_many = lambda *args, **kwargs: None
    try:
        yield
    finally:
        audit.record, audit.record_many = saved


def alternate(fns: dict, repeat: int, reset, check=None, warm=None) -> dict[str, list[float]]:
    """Warm-up (not recorded; `check(key)` looks at what each left), then `repeat` rounds of the functions in
    turn, each from the reset state, so that drift hits them alike; seconds. `warm`: the keys to warm up."""
    for key, fn in fns.items():
        if warm is not None and key not in warm:
            continue
        db.session.remove()
        fn()
        db.session.remove()
        if check:
            check(key)
        reset()
    times: dict[str, list[float]] = {key: [] for key in fns}
    for _ in range(repeat):
        for key, fn in fns.items():
            db.session.remove()
            start = time.perf_counter()
            fn()
            times[key].append(time.perf_counter() - start)
            db.session.remove()
            reset()
    return times


def profile(fn, reset, top: int = 18) -> str:
    profiler = cProfile.Profile()
    db.session.remove()
    profiler.enable()
    fn()
    profiler.disable()
    db.session.remove()
    reset()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(r"examapp|yaml/__init__|openpyxl/reader/excel", top)
    return out.getvalue()


def measured(key: str, label: str, fns: dict, repeat: int, reset, log, check=None, warm=None, **extra) -> dict:
    load = os.getloadavg()[0]
    times = alternate(fns, repeat, reset, check, warm)
    out = dict(key=key, label=label, times=times, load=(load, os.getloadavg()[0]), **extra)
    log(f"  {key}: " + ", ".join(f"{k} {statistics.median(v):.2f} s" for k, v in times.items()))
    return out


def expect(got: dict, want: dict, what: str) -> None:
    wrong = {k: (got.get(k), v) for k, v in want.items() if got.get(k) != v}
    if wrong:
        raise SystemExit(f"{what}: rows differ from what was expected (got, expected): {wrong}")


def run(dialect: str, sizes: dict, files: dict, repeat: int, log, keep: bool, pg_server: str,
        profiling: bool) -> dict:
    tmp = tempfile.mkdtemp(prefix="bench_b78_")
    url = create_database(dialect, pg_server, tmp)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": tmp, "SECRET_KEY": "bench",
                      "PASSWORD_HASH_METHOD": Config.PASSWORD_HASH_METHOD})
    actor = SystemActor(username="bench")
    result: dict = {"dialect": dialect, "b7": [], "b8": [], "profiles": {}}
    with app.app_context():
        log(f"{dialect}: {url}")
        flask_migrate.upgrade()
        result["version"] = db.session.execute(text("select sqlite_version()" if dialect == "sqlite"
                                                    else "show server_version")).scalar()
        law = laws.import_law(actor, f"{LAW}.md", (LAWS_DIR / f"{LAW}.md").read_bytes(), now=NOW)
        plan = imports.run("units", actor, "b7_units.csv", units_csv(), now=NOW)
        if not plan.ok:
            raise SystemExit("units: " + "; ".join(plan.messages()[:5]))
        law_id = db.session.execute(text("SELECT id FROM law WHERE code = :c"), {"c": LAW}).scalar()
        unit_ids = dict(db.session.execute(text("SELECT code, id FROM org_unit")).all())
        # the people edited one by one in B8 exist before the mark
        plan = imports.run("people", actor, "b8_editable.csv", as_csv(people_rows(sizes["single"], "b8e")), now=NOW,
                           initial_password=PASSWORD)
        if not plan.ok:
            raise SystemExit("people: " + "; ".join(plan.messages()[:5]))
        db.session.remove()
        state = State(law_id)
        result["seed"] = f"{law.articles} articles, {len(unit_ids)} units, {sizes['single']:,} people"
        log(f"  seeded: {result['seed']}")

        def without(fn):
            def call():
                with audit_off():
                    fn()
            return call

        # B7 (and B8's bulk cases): questions
        doc = bank.read_file("b7_bank.yaml", files["bank"])
        if doc.errors:
            raise SystemExit("bank file: " + "; ".join(map(str, doc.errors[:5])))
        q_rows = question_rows(doc, state)
        n = sizes["questions"]
        want_q = {"question": n, "question_version": n, "question_article": len(q_rows["question_article"])}

        def import_bank():
            outcome = bank.import_bank_file(actor, "b7_bank.yaml", files["bank"], now=NOW)
            if not outcome.ok or outcome.created != n:
                raise SystemExit(f"bank import: {outcome.errors[:5]}")

        def check_q(key):
            expect(state.counts(), {**want_q, "audit_event": n + 1 if key == "service" else 0}, f"questions, {key}")

        result["b7"].append(measured(
            "questions", f"{n:,} questions (YAML bank, `bank.import_bank_file`)",
            {"service": import_bank, "no_audit": without(import_bank), "raw": lambda: raw_questions(q_rows)},
            repeat, state.reset, log, check_q, target=5.0, rows=sum(want_q.values())))

        # B7 (and B8's bulk cases): people
        p_rows = people_raw_rows(files["people_rows"], state, unit_ids, "scrypt:bench")
        m = sizes["people"]
        want_p = {"user": m, "user_role": len(p_rows["user_role"])}

        def import_people(fmt):
            outcome = imports.run("people", actor, f"b7_people.{fmt}", files[f"people_{fmt}"], now=NOW,
                                  initial_password=PASSWORD)
            if not outcome.ok or outcome.count("create") != m:
                raise SystemExit(f"people import: {outcome.messages()[:5]}")

        def check_p(key):
            expect(state.counts(), {**want_p, "audit_event": m + 1 if key in ("service", "xlsx") else 0},
                   f"people, {key}")

        csv_case = measured(
            "people_csv", f"{m:,} people (.csv roster, `imports.run(\"people\")`)",
            {"service": lambda: import_people("csv"), "no_audit": without(lambda: import_people("csv")),
             "raw": lambda: raw_people(p_rows)},
            repeat, state.reset, log, check_p, target=10.0, rows=sum(want_p.values()))
        # the .xlsx roster holds the same rows: its baseline is the raw executemany timed just above
        xlsx_case = measured("people_xlsx", f"{m:,} people (.xlsx roster, `imports.run(\"people\")`)",
                             {"xlsx": lambda: import_people("xlsx")}, repeat, state.reset, log,
                             lambda key: check_p("xlsx"), target=10.0, rows=sum(want_p.values()))
        xlsx_case["times"] = {"service": xlsx_case["times"]["xlsx"], "raw": csv_case["times"]["raw"]}
        result["b7"] += [csv_case, xlsx_case]

        # B8: single audited changes, one transaction each
        editable = db.session.execute(text("SELECT id, username, name, unit_id FROM \"user\" WHERE username LIKE "
                                           "'b8e%' ORDER BY id")).all()
        db.session.remove()
        flip = {"n": 0}

        def edit_people():
            flip["n"] += 1
            position = f"岗位{flip['n']}"
            for u in editable:
                users.update_user(actor, u.id, users.PersonInput(username=u.username, name=u.name, unit_id=u.unit_id,
                                                                position=position), now=NOW)
                db.session.remove()

        result["single"] = measured(
            "single", f"{len(editable):,} edits through `users.update_user`, one transaction each (`record`)",
            {"service": edit_people, "no_audit": without(edit_people)}, repeat, state.reset, log)
        if profiling:
            result["profiles"]["bank import"] = profile(import_bank, state.reset)
            result["profiles"]["people import (.csv)"] = profile(lambda: import_people("csv"), state.reset)
            result["profiles"]["people import (.xlsx)"] = profile(lambda: import_people("xlsx"), state.reset)
            result["profiles"]["single edits"] = profile(edit_people, state.reset)

        # B8: verify a million events
        log(f"  loading {len(files['chain']):,} audit events")
        started = time.perf_counter()
        load_chain(dialect, files["chain"], files["chain_head"])
        result["chain_load"] = time.perf_counter() - started

        def verify():
            outcome = audit.verify()
            if not outcome.ok or outcome.count != len(files["chain"]):
                raise SystemExit(f"audit verify: {outcome}")

        def raw_scan():
            with db.engine.connect() as conn:
                cursor = conn.exec_driver_sql(RAW_SCAN)
                count = 0
                while rows := cursor.fetchmany(5000):
                    count += len(rows)
            if count != len(files["chain"]):
                raise SystemExit(f"raw scan: {count} rows")

        # a million-row verify is its own warm-up: the raw scan before it warms the database's cache
        result["verify"] = measured("verify", f"`audit.verify()` over {len(files['chain']):,} events",
                                    {"service": verify, "raw": raw_scan}, repeat, lambda: None, log, warm=("raw",))
        if profiling:
            result["profiles"]["verify"] = profile(verify, lambda: None)
        db.session.remove()
        db.engine.dispose()
    if dialect == "postgresql" and not keep:
        drop_pg(pg_server, PG_DATABASE)
    if keep and dialect == "sqlite":
        log(f"kept {tmp}/bench_b78.db")
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    return result


def load_chain(dialect: str, rows: list[tuple], head: str) -> None:
    """Replace the audit chain with the generated one and set the head row (Core executemany or COPY)."""
    db.session.remove()
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_event"))
        conn.execute(text("UPDATE audit_head SET seq = :s, hash = :h WHERE id = 1"), {"s": len(rows), "h": head})
    if dialect == "postgresql":
        raw = db.engine.raw_connection()
        try:
            pg = raw.driver_connection
            names = ", ".join(f'"{c}"' for c in AUDIT_COLUMNS)
            with pg.cursor() as cur, cur.copy(f"COPY audit_event ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            pg.commit()
        finally:
            raw.close()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE audit_event"))
    else:
        table = AuditEvent.__table__
        with db.engine.begin() as conn:
            for start in range(0, len(rows), 50_000):
                conn.execute(table.insert(), [dict(zip(AUDIT_COLUMNS, r, strict=True))
                                              for r in rows[start:start + 50_000]])
        with db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


# -- the report ----------------------------------------------------------------------------------------------

def _name(result: dict) -> str:
    return "SQLite" if result["dialect"] == "sqlite" else "PostgreSQL"


def _s(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} ({min(values):.2f}–{max(values):.2f})"


def _ratio(c: dict, a: str = "service", b: str = "raw") -> float:
    return statistics.median(c["times"][a]) / statistics.median(c["times"][b])


def _versions(results: list[dict]) -> str:
    by = {r["dialect"]: r for r in results}
    return " · ".join([f"Python {platform.python_version()}", f"SQLite {sqlite3.sqlite_version}"]
                      + ([f"PostgreSQL {by['postgresql']['version'].split()[0]}"] if "postgresql" in by else [])
                      + [f"SQLAlchemy {sqlalchemy.__version__}", f"PyYAML {yaml.__version__} (libyaml "
                         f"{'yes' if yaml.__with_libyaml__ else 'no'})"])


def section_b7(results: list[dict], sizes: dict, repeat: int, started: datetime) -> str:
    lines = [f"## B7 Bulk imports — {started:%Y-%m-%d %H:%M}",
             "",
             "`bench/imports_audit.py` (QUALITY B7: import 10k questions, 50k users — ≤ 5 s / ≤ 10 s; "
             "≤ 3 × raw executemany).",
             "",
             f"Machine: {machine()}  ",
             f"Versions: {_versions(results)}",
             "",
             f"Data (seeded, identical on both databases; schema by the migrations): the Civil Code imported with "
             f"`laws.import_law` ({results[0]['seed']}, the units by the units import). A YAML bank of "
             f"{sizes['questions']:,} questions (single, multiple, judge, fill; 1–3 cited articles each) and a roster "
             f"of {sizes['people']:,} people (all new; ~1 % also unit admins), the same roster as .csv and as .xlsx. "
             f"New people get the production password hash (scrypt), one per import.",
             "",
             f"Each figure: seconds, median (min–max) of {repeat} runs after a warm-up, the service and the baseline "
             "in turn, each from the same state (the rows a run added are deleted and the audit head put back "
             "between runs; on PostgreSQL the touched tables are VACUUM ANALYZEd). Service: the whole call the "
             "CLI and the admin apply step make — parse the file, validate against the database, insert, audit "
             "events (one per row and one for the import), commit. Baseline: the same rows inserted into the same "
             "tables by SQLAlchemy Core executemany in one transaction (ids set by the bench, rows prepared before "
             "the clock starts; no parsing, validation or audit); the .xlsx roster holds the same rows, so its "
             "baseline is the one timed with the .csv. Before timing, the warm-up runs check that each leaves the "
             "expected row counts (the service also one audit event per row plus one). Load avg: the 1-minute load average before → after the timing.",
             "",
             "| database | import | rows | service, s | raw executemany, s | service ÷ raw | load avg |",
             "|---|---|---|---|---|---|---|"]
    for r in results:
        for c in r["b7"]:
            t = c["times"]
            lines.append(f"| {_name(r)} | {c['label']} | {c['rows']:,} | {_s(t['service'])} | {_s(t['raw'])} "
                         f"| {_ratio(c):.2f} | {c['load'][0]:.1f}→{c['load'][1]:.1f} |")
    lines += ["", "Targets:"]
    for r in results:
        for c in r["b7"]:
            seconds, ratio = statistics.median(c["times"]["service"]), _ratio(c)
            lines.append(f"- {_name(r)}, {c['key']}: ≤ {c['target']:.0f} s — {seconds:.2f} s, "
                         f"{'holds' if seconds <= c['target'] else 'MISSES'}; ≤ 3 × raw — {ratio:.2f}, "
                         f"{'holds' if ratio <= 3 else 'MISSES'}")
    return "\n".join(lines) + "\n"


def _b8_cases(result: dict) -> list[dict]:
    """The cases timed with and without the audit events: the two bulk imports of B7, and the single edits."""
    labels = {"questions": "bank import (`record_many`: one statement for all)",
              "people_csv": f"roster import, .csv (`record_many` per {imports.CREATE_BATCH:,} rows)"}
    cases = [dict(c, b8label=c["label"].split(" (")[0] + ": " + labels[c["key"]]) for c in result["b7"]
             if "no_audit" in c["times"]]
    return cases + [dict(result["single"], b8label=result["single"]["label"])]


def section_b8(results: list[dict], sizes: dict, repeat: int, started: datetime) -> str:
    lines = [f"## B8 Audit chain — {started:%Y-%m-%d %H:%M}",
             "",
             "`bench/imports_audit.py` (QUALITY B8: audit chain: inserts with chain vs without; verify 1M events — "
             "overhead ≤ 20 %; verify ≤ 30 s).",
             "",
             f"Machine: {machine()}  ",
             f"Versions: {_versions(results)}",
             "",
             f"Overhead: the same service call with `services.audit.record`/`record_many` as they are and with both "
             f"replaced by no-ops (same rows, no audit event, no head-row lock), alternated, median (min–max) of "
             f"{repeat} runs after a warm-up, each from the same state (the bulk cases are B7's runs: with, "
             f"without and raw alternated). Verify: {sizes['events']:,} valid chained "
             "events generated with the domain's `row_payload`/`chain_hash` and bulk inserted (COPY on "
             "PostgreSQL) with the head row set; `audit.verify()` (keyset pages of 5,000, the hash recomputed per "
             "row) against a raw scan of the same rows (one cursor, ORDER BY seq, fetchmany, no hashing); the warm-up "
             "is one raw scan (a million-row verify is its own warm-up).",
             "",
             "| database | with the audit chain | with audit, s | without, s | overhead | load avg |",
             "|---|---|---|---|---|---|"]
    for r in results:
        for c in _b8_cases(r):
            t = c["times"]
            lines.append(f"| {_name(r)} | {c['b8label']} | {_s(t['service'])} | {_s(t['no_audit'])} "
                         f"| {(_ratio(c, 'service', 'no_audit') - 1) * 100:+.0f} % "
                         f"| {c['load'][0]:.1f}→{c['load'][1]:.1f} |")
    lines += ["", "| database | events | `audit.verify()`, s | raw scan, s | verify ÷ scan | load avg |",
              "|---|---|---|---|---|---|"]
    for r in results:
        c = r["verify"]
        lines.append(f"| {_name(r)} | {sizes['events']:,} | {_s(c['times']['service'])} | {_s(c['times']['raw'])} "
                     f"| {_ratio(c):.1f} | {c['load'][0]:.1f}→{c['load'][1]:.1f} |")
    lines += ["", "Targets:"]
    for r in results:
        for c in _b8_cases(r):
            over = (_ratio(c, "service", "no_audit") - 1) * 100
            lines.append(f"- {_name(r)}, {c['key']}: overhead ≤ 20 % — {over:+.0f} %, "
                         f"{'holds' if over <= 20 else 'MISSES'}")
        seconds = statistics.median(r["verify"]["times"]["service"])
        lines.append(f"- {_name(r)}, verify {sizes['events']:,}: ≤ 30 s — {seconds:.1f} s, "
                     f"{'holds' if seconds <= 30 else 'MISSES'}")
    lines += ["", "Chain load (generate not counted): " + ", ".join(f"{_name(r)} {r['chain_load']:.0f} s"
                                                                   for r in results) + "."]
    return "\n".join(lines) + "\n"


def main() -> None:
    global PG_DATABASE
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="one tenth of the sizes (smoke run)")
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG_SERVER", PG_SERVER),
                        help="PostgreSQL server URL; the database --pg-database is dropped and created")
    parser.add_argument("--pg-database", default=PG_DATABASE,
                        help="the PostgreSQL database to drop and create (default: $BENCH_B78_DATABASE or bench_b78)")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database and the SQLite file")
    parser.add_argument("--write", dest="write", action="store_true", default=None,
                        help="write the B7 and B8 sections of docs/benchmarks.md (default: only at full size)")
    parser.add_argument("--no-write", dest="write", action="store_false")
    parser.add_argument("--profile", action="store_true", help="print cProfile of the service calls and verify")
    args = parser.parse_args()
    PG_DATABASE = args.pg_database
    sizes = SMALL if args.small else FULL
    started = datetime.now()
    t0 = time.perf_counter()

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - t0:6.0f} s] {message}", flush=True)

    articles = list(range(1, 1261))
    people = people_rows(sizes["people"], "b7p")
    chain, head = audit_chain(sizes["events"])
    files = {"bank": bank_yaml(sizes["questions"], articles), "people_rows": people, "people_csv": as_csv(people),
             "people_xlsx": as_xlsx(people),
             "chain": chain, "chain_head": head}
    log(f"generated the files and {len(chain):,} chained events")
    dialects = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    results = [run(d, sizes, files, args.repeat, log, args.keep, args.pg, args.profile) for d in dialects]
    b7, b8 = section_b7(results, sizes, args.repeat, started), section_b8(results, sizes, args.repeat, started)
    print("\n" + b7 + "\n" + b8)
    for r in results:
        for name, text_ in r["profiles"].items():
            print(f"--- {r['dialect']}: cProfile of {name} (by own time)\n{text_}")
    if args.write if args.write is not None else not args.small:
        write_section("B7", b7, "imports_audit.py")
        write_section("B8", b8, "imports_audit.py")
        print("written: docs/benchmarks.md (sections B7 and B8)")


if __name__ == "__main__":
    main()
