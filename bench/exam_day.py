"""Benchmarks B0–B5 (QUALITY.md): exam day through the real HTTP flow, gunicorn with deploy/gunicorn.conf.py.

For each database (SQLite in WAL mode, PostgreSQL database `bench_exam`, dropped and created), the script builds
a bureau (schema by the migrations; units, N takers with the employee role and some extra staff by Core bulk
inserts, all sharing ONE scrypt hash), imports a generated law and a 70-question single/judge bank through the
app's own importers, and defines and publishes with the services (`exam_admin.save_exam/set_rules/set_audience`,
`exams.publish`) two exams of 50 drawn questions for the whole bureau: the annual exam (A) and a mock exam (B) with
the same rules. Then it starts gunicorn and drives it from this process (asyncio + httpx, loopback, one session
cookie per virtual taker, a distinct X-Forwarded-For per taker as behind nginx):

  B2  cost of one scrypt hash (in process); then N logins (POST /api/v1/auth/login, 50 in flight) while a few
      background takers keep saving answers (exam B): save latency quiet vs during the logins
  B0  GET /healthz (it runs SELECT 1 on the database) and GET /static/css/app.css (Flask's static route: no
      database), C clients back to back: the baseline H
  B3  synchronized start: 300 takers (exam B) and then N takers (exam A) released by one asyncio.Event to
      POST /api/v1/exams/<id>/attempts
  B1  question page (GET /exams/attempts/<id>, the HTML take page), answer save (PUT .../answers/<qid>) on the
      exam-A attempts, submit + grade (POST .../submit) of exam-B attempts holding 50 saved answers (prepared by
      Core inserts between repetitions), each as RPS ÷ H
  B4  mixed: all N takers on their exam-A attempt, compressed think time (saves, some page reloads), then submit;
      afterwards every acknowledged answer is compared with the database
  B5  submit rush: N submits of fresh 50-answer attempts within the first 30 s, while a separate process runs the
      scheduler job `exams.submit_overdue(now=utcnow())` every 2 s over absentees' overdue attempts and over 5 %
      of the rush's own attempts (moved past deadline + grace, so both race); checked in the database.

B0 and B1 are 3 timed repetitions after an unrecorded warm-up; B2–B5 change the data and run once per database.

    .venv/bin/python bench/exam_day.py                 # 1,000 takers, SQLite and PostgreSQL; writes docs/benchmarks.md
    .venv/bin/python bench/exam_day.py --small         # smoke: 50 takers, short phases, does not touch the docs
    .venv/bin/python bench/exam_day.py --db sqlite --profile    # + cProfile of the slow requests in the workers
"""
import argparse
import asyncio
import io
import json
import os
import platform
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ["EXAMAPP_CONFIG"] = "development"        # the production hash method (scrypt)

import flask_migrate  # noqa: E402
import gunicorn  # noqa: E402
import httpx  # noqa: E402
import sqlalchemy  # noqa: E402
import yaml  # noqa: E402
from databases import drop_pg, fresh_pg  # noqa: E402
from docs_section import machine  # noqa: E402
from load import Recorder, Server, Taker, call, closed_loop, latency, loadavg, make_client  # noqa: E402
from sqlalchemy import func, insert, select, text, update  # noqa: E402
from werkzeug.security import check_password_hash  # noqa: E402

from examapp import create_app  # noqa: E402
from examapp.clock import utcnow  # noqa: E402
from examapp.extensions import db  # noqa: E402
from examapp.models import Answer, Attempt, AuditEvent, Exam, QuestionVersion, User  # noqa: E402
from examapp.services import bank, exam_admin, exams, laws, passwords  # noqa: E402
from examapp.services.actors import SystemActor  # noqa: E402

PG_SERVER = "postgresql://postgres@127.0.0.1:5432/"
PG_DATABASE = "bench_exam"
SECRET = "bench-exam-day-secret"
PASSWORD = "Bench@2026pw"
LAW = "bench_law"
SINGLE, JUDGE = 40, 30
RULES = [[LAW, "single", None, 30, 2.0], [LAW, "judge", None, 20, 2.0]]        # 50 questions, 100 points
TARGETS = {"page": 0.20, "save": 0.25, "submit": 0.10}
SEED = 20261127
T0 = datetime(2026, 1, 1)


class Settings:
    def __init__(self, small: bool, takers: int | None, clients: int, think: float, profile: bool = False):
        self.small, self.profile = small, profile
        self.only_b4 = False
        self.takers = takers or (50 if small else 1000)
        self.background = 4 if small else 16            # B2: takers saving while the logins run
        self.absent = max(5, self.takers // 10)         # B5: attempts left overdue for the scheduler
        self.clients = clients                          # C: concurrent clients for B0/B1
        self.rep_seconds = 3 if small else 8
        self.warmup = 1 if small else 3
        self.repeat = 3
        self.b3_sizes = [self.takers // 2, self.takers] if small else [300, self.takers]
        self.think = think if think else (1.0 if small else 8.0)   # B4 mean think time between actions, s
        self.b4_save_seconds = 8 if small else 42
        self.b4_submit_window = 4 if small else 10
        self.rush_window = 5 if small else 30
        self.scheduler_every = 2.0
        self.login_concurrency = 10 if small else 50
        self.paced_logins = 3                          # B2: logins in flight in the second stage
        self.login_seconds = 60                        # each login stage is bounded


# -- data --------------------------------------------------------------------------------------------------------

CN = "零一二三四五六七八九十"


def law_text() -> bytes:
    lines = ["基准测试法", "", "2026年1月1日 通过", "", "第一章 总则", ""]
    lines += [f"第{CN[k]}条 本条是基准测试用的第{k}条规定，期限为{k * 5}日。" for k in range(1, 11)]
    return ("\n".join(lines) + "\n").encode()


def bank_yaml() -> bytes:
    questions = []
    for i in range(1, SINGLE + JUDGE + 1):
        article = i % 10 + 1
        q = {"id": f"bench-{i:04d}", "type": "single" if i <= SINGLE else "judge", "difficulty": i % 3 + 1,
             "stem": f"第{i}题：依照本法第{CN[article]}条，期限为（  ）日。" if i <= SINGLE
             else f"第{i}题：依照本法第{CN[article]}条，期限为{article * 5}日。",
             "articles": [article], "explanation": f"本法第{CN[article]}条规定期限为{article * 5}日。",
             "tags": ["总则"]}
        if i <= SINGLE:
            q["options"] = [f"{article * 5 + d}日" for d in (0, 1, 2, 3)]
            q["answer"] = "A"
        else:
            q["answer"] = i % 2 == 0
        questions.append(q)
    return yaml.safe_dump({"law": LAW, "title": "基准测试法", "questions": questions}, allow_unicode=True,
                          sort_keys=False).encode()


def _complete(table_name: str, rows: list[dict]) -> list[dict]:
    """The rows plus the model's scalar/callable defaults for the columns they leave out."""
    table = db.metadata.tables[table_name]
    out = []
    for row in rows:
        full = dict(row)
        for column in table.columns:
            if column.name not in full and column.default is not None:
                full[column.name] = column.default.arg if column.default.is_scalar else column.default.arg(None)
        out.append(full)
    return out


def seed(settings: Settings, dialect: str, log) -> dict:
    """Schema, bureau, law, bank and the two published exams. Returns ids and counts."""
    started = time.perf_counter()
    flask_migrate.upgrade()
    now = utcnow()
    one_hash = passwords.hash_password(PASSWORD)         # one scrypt hash for everyone, as the roster import does
    units = [dict(id=1, code="BJ", name="市局", kind="bureau", parent_id=None, path="/1/", depth=0, sort_order=0,
                  active=True, created_at=T0)]
    units += [dict(id=k, code=f"U{k:02d}", name=f"处室{k}", kind="department", parent_id=1, path=f"/1/{k}/",
                   depth=1, sort_order=k, active=True, created_at=T0) for k in range(2, 12)]
    names = [f"t{i:05d}" for i in range(1, settings.takers + 1)]
    names += [f"x{i:05d}" for i in range(1, settings.background + settings.absent + 1)]
    users = [dict(id=i, username=name, name=f"考生{i}", unit_id=2 + i % 10, position="科员", email="", on_post=True,
                  is_enforcement=i % 10 == 0, is_supervision=False, is_leader=False, active=True,
                  password_hash=one_hash, must_change_password=False, session_version=1, password_changed_at=now,
                  created_at=T0) for i, name in enumerate(names, 1)]
    roles = [dict(id=i, user_id=i, role="employee", scope_unit_id=None) for i in range(1, len(users) + 1)]
    with db.engine.begin() as conn:
        conn.execute(insert(db.metadata.tables["org_unit"]), _complete("org_unit", units))
        conn.execute(insert(db.metadata.tables["user"]), _complete("user", users))
        conn.execute(insert(db.metadata.tables["user_role"]), _complete("user_role", roles))
        if dialect == "postgresql":
            for name in ("org_unit", "user", "user_role"):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "  # noqa: S608 (own table names)
                                  f"(SELECT max(id) FROM \"{name}\"))"))
    actor = SystemActor(username="bench")
    laws.import_law(actor, f"{LAW}.md", law_text(), now=now)
    result = bank.import_bank_file(actor, f"{LAW}.yaml", bank_yaml(), now=now)
    if not result.ok:
        raise SystemExit(f"bank import failed: {result}")
    exam_ids = {}
    for key, kind, title in (("A", "annual", "2026年度学法考试"), ("B", "mock", "模拟考试")):
        data = exam_admin.ExamInput(title=title, kind=kind, year=now.year, opens_at=now - timedelta(hours=1),
                                    closes_at=now + timedelta(days=2), duration_minutes=90, attempts_allowed=10)
        exam = exam_admin.save_exam(actor, None, data, now=now)
        exam_admin.set_rules(actor, exam.id, RULES, now=now)
        exam_admin.set_audience(actor, exam.id, [("unit_tree", "BJ")], now=now)
        exams.publish(actor, exam.id, now=now)
        exam_ids[key] = exam.id
    ids = dict(db.session.execute(select(User.username, User.id)).all())
    questions = db.session.scalar(select(func.count()).select_from(QuestionVersion))
    db.session.remove()
    if dialect == "sqlite":
        with db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    log(f"  seeded {len(users):,} people, {questions} questions, exams {exam_ids} in "
        f"{time.perf_counter() - started:.1f} s")
    return {"exams": exam_ids, "user_ids": ids, "people": len(users), "questions": questions,
            "seed_seconds": time.perf_counter() - started}


def _response(slot: dict, qtype: str, rng: random.Random):
    return rng.choice("ABCD"[:len(slot["o"]) or 4]) if qtype == "single" else rng.random() < 0.5


def prepare_attempts(exam_id: int, user_ids: list[int], *, answered: int, rng: random.Random,
                     started: datetime | None = None, deadline: datetime | None = None) -> dict[int, int]:
    """For every user without a running attempt on the exam, a new running attempt (Core inserts; its paper
    copied from an attempt the service drew), then saved answers for its first `answered` slots that have none.
    Returns user id -> running attempt id. Bench-side setup for the submit phases, not a measured path."""
    exam = db.session.get(Exam, exam_id)
    paper_id = exam.current_paper_id
    now = utcnow()
    started = started or now
    deadline = deadline or started + timedelta(minutes=exam.duration_minutes)
    running = dict(db.session.execute(select(Attempt.user_id, Attempt.id).where(
        Attempt.exam_id == exam_id, Attempt.status == "running", Attempt.user_id.in_(user_ids))).all())
    templates = [s for (s,) in db.session.execute(select(Attempt.slots).where(Attempt.exam_id == exam_id)
                                                  .order_by(Attempt.id).limit(50))]
    numbers = dict(db.session.execute(select(Attempt.user_id, func.max(Attempt.number)).where(
        Attempt.exam_id == exam_id).group_by(Attempt.user_id)).all())
    types = dict(db.session.execute(select(QuestionVersion.id, QuestionVersion.type)).all())
    db.session.rollback()
    missing = [u for u in user_ids if u not in running]
    table = Attempt.__table__
    if missing:
        rows = [dict(exam_id=exam_id, user_id=u, paper_id=paper_id, number=numbers.get(u, 0) + 1,
                     makeup=False, status="running", started_at=started, deadline=deadline, submitted_at=None,
                     submitted_by="", slots=rng.choice(templates), score=None, passed=None, pending_manual=False,
                     ip="10.9.0.1") for u in missing]
        with db.engine.begin() as conn:
            for start in range(0, len(rows), 500):
                chunk = rows[start:start + 500]
                made = conn.execute(insert(table).returning(table.c.user_id, table.c.id, sort_by_parameter_order=True),
                                    chunk).all()
                running.update({u: a for u, a in made})
    ids = [running[u] for u in user_ids]
    have = {}
    for start in range(0, len(ids), 500):
        for a, s in db.session.execute(select(Answer.attempt_id, Answer.slot).where(
                Answer.attempt_id.in_(ids[start:start + 500]))).all():
            have.setdefault(a, set()).add(s)
    slots = {}
    for start in range(0, len(ids), 500):
        slots.update(dict(db.session.execute(select(Attempt.id, Attempt.slots).where(
            Attempt.id.in_(ids[start:start + 500]))).all()))
    db.session.rollback()
    answers = []
    for a in ids:
        for index, slot in enumerate(slots[a][:answered]):
            if index not in have.get(a, ()):
                answers.append(dict(attempt_id=a, slot=index, question_version_id=slot["v"],
                                    response=_response(slot, types[slot["v"]], rng), seq=1, flagged=False,
                                    saved_at=now, points=None, correct=None))
    with db.engine.begin() as conn:
        for start in range(0, len(answers), 5000):
            conn.execute(insert(Answer.__table__), answers[start:start + 5000])
    return {u: running[u] for u in user_ids}


# -- phases --------------------------------------------------------------------------------------------------------

class Run:
    """One database's run: the server, the virtual takers, the results."""

    def __init__(self, settings: Settings, dialect: str, url: str, tmp: Path, app, data: dict, log):
        self.s, self.dialect, self.url, self.tmp, self.app, self.data, self.log = \
            settings, dialect, url, tmp, app, data, log
        self.rng = random.Random(SEED)
        uid = data["user_ids"]
        self.takers = [Taker(f"t{i:05d}", f"10.{1 + i // 60000}.{i // 250 % 240}.{1 + i % 250}")
                       for i in range(1, settings.takers + 1)]
        extras = [Taker(f"x{i:05d}", f"10.200.{i // 250}.{1 + i % 250}")
                  for i in range(1, settings.background + settings.absent + 1)]
        self.background, self.absent = extras[:settings.background], extras[settings.background:]
        self.uid = uid
        self.results: dict = {"phases": {}}
        self.ledger: dict[tuple[int, int], tuple[int, object]] = {}   # (attempt, slot) -> acknowledged (seq, response)
        self.server: Server | None = None
        self.client: httpx.AsyncClient | None = None

    # bookkeeping
    def phase(self, name: str):
        run = self

        class _Phase:
            def __enter__(self):
                self.t, self.cpu, self.load = time.perf_counter(), time.process_time(), loadavg()
                self.server_cpu = run.server.cpu_seconds()
                run.log(f"{run.dialect}: {name} (load {self.load:.2f})")
                self.info = {}
                return self.info

            def __exit__(self, *exc):
                wall = time.perf_counter() - self.t
                self.info.update(load_before=self.load, load_after=loadavg(), wall=wall,
                                 generator_cpu=(time.process_time() - self.cpu) / wall,
                                 server_cpu=cpu_share(run.server.cpu_seconds() - self.server_cpu, wall))
                run.results["phases"][name] = self.info
                return False
        return _Phase()

    async def login(self, taker: Taker, rec: Recorder) -> bool:
        r = await call(self.client, rec, taker, "POST", "/api/v1/auth/login",
                       json={"username": taker.username, "password": PASSWORD})
        if r is None:
            return False
        taker.csrf = r.json()["csrf_token"]
        return True

    async def start(self, taker: Taker, exam_key: str, rec: Recorder, t0: float | None = None) -> bool:
        exam_id = self.data["exams"][exam_key]
        t = time.perf_counter()
        r = await call(self.client, rec, taker, "POST", f"/api/v1/exams/{exam_id}/attempts", expect=(200, 201))
        if r is None:
            return False
        if t0 is not None:          # B3: the time from the release, as the person sees it
            rec.ok[-1] = time.perf_counter() - t0
        del t
        attempt = r.json()["attempt"]
        taker.attempts[exam_key] = {"id": attempt["id"], "questions": attempt["questions"]}
        return True

    async def save(self, taker: Taker, exam_key: str, rec: Recorder, rng: random.Random) -> bool:
        attempt = taker.attempts[exam_key]
        q = rng.choice(attempt["questions"])
        response = rng.choice("ABCD"[:len(q["options"])]) if q["type"] == "single" else rng.random() < 0.5
        seq = taker.next_seq(attempt["id"])
        r = await call(self.client, rec, taker, "PUT", f"/api/v1/attempts/{attempt['id']}/answers/{q['id']}",
                       json={"response": response, "seq": seq})
        if r is None:
            return False
        if exam_key == "A":
            self.ledger[(attempt["id"], q["slot"])] = (seq, response)
        return True

    async def page(self, taker: Taker, rec: Recorder) -> bool:
        return await call(self.client, rec, taker, "GET", f"/exams/attempts/{taker.attempts['A']['id']}") is not None

    async def page_json(self, taker: Taker, rec: Recorder) -> bool:
        path = f"/api/v1/attempts/{taker.attempts['A']['id']}"
        return await call(self.client, rec, taker, "GET", path) is not None

    async def submit(self, taker: Taker, attempt_id: int, rec: Recorder) -> dict | None:
        r = await call(self.client, rec, taker, "POST", f"/api/v1/attempts/{attempt_id}/submit")
        if r is None:
            return None
        body = r.json()
        if body.get("status") != "submitted":
            rec.ok.pop()
            rec.add(0, "not submitted", r.text)
            return None
        return body

    # B2 -----------------------------------------------------------------------------------------------------
    async def b2(self) -> None:
        s = self.s
        with self.app.app_context():
            hashes, checks = [], []
            stored = passwords.hash_password(PASSWORD)
            for _ in range(5 if s.small else 20):
                t = time.perf_counter()
                passwords.hash_password(PASSWORD)
                hashes.append(time.perf_counter() - t)
                t = time.perf_counter()
                assert check_password_hash(stored, PASSWORD)
                checks.append(time.perf_counter() - t)
            method = self.app.config["PASSWORD_HASH_METHOD"]
        self.results["hash"] = {"method": method, "stored_prefix": stored.split("$", 1)[0],
                                "hash_ms": [h * 1000 for h in hashes], "check_ms": [c * 1000 for c in checks]}
        # background exam traffic: a few takers on exam B, saving back to back with a short pause
        setup = Recorder("setup")
        for t in self.background:
            if not (await self.login(t, setup) and await self.start(t, "B", setup)):
                raise SystemExit(f"background taker setup failed: {setup.summary()}")
        window = {"name": "quiet"}
        recs = {"quiet": Recorder("save quiet"), "logins": Recorder("save during logins"),
                "paced": Recorder("save during paced logins"), "after": Recorder("save after")}
        stop = asyncio.Event()
        rng = random.Random(SEED + 2)

        async def background(t: Taker) -> None:
            while not stop.is_set():
                await self.save(t, "B", recs[window["name"]], rng)
                await asyncio.sleep(0.2)

        tasks = [asyncio.create_task(background(t)) for t in self.background]
        with self.phase("B2") as info:
            await asyncio.sleep(3 if s.small else 10)
            queue = list(reversed(self.takers))
            failed: list[Taker] = []
            stages = {}
            for stage, concurrency, share in (("logins", s.login_concurrency, 0.5 if s.small else 1.0),
                                              ("paced", s.paced_logins, 1.0)):
                window["name"] = stage
                rec = Recorder(stage)
                t0 = time.perf_counter()
                stop_at, stop_left = t0 + s.login_seconds, len(queue) - int(len(self.takers) * share)
                load0 = loadavg()

                async def login_worker(rec=rec, stop_at=stop_at, stop_left=stop_left) -> None:
                    while len(queue) > max(0, stop_left) and time.perf_counter() < stop_at:
                        t = queue.pop()
                        if not await self.login(t, rec):
                            failed.append(t)            # logged in again afterwards, unmeasured

                await asyncio.gather(*(login_worker() for _ in range(concurrency)))
                seconds = time.perf_counter() - t0
                stages[stage] = {"concurrency": concurrency, "seconds": seconds, "rps": len(rec.ok) / seconds,
                                 "load": (load0, loadavg()), **rec.summary()}
            window["name"] = "after"
            await asyncio.sleep(2 if s.small else 5)
            stop.set()
            await asyncio.gather(*tasks)
            info.update(stages=stages, saves={k: v.summary() for k, v in recs.items()})
        setup = Recorder("login (setup, not measured)")
        queue += failed
        info["unmeasured_logins"] = len(queue)
        for _round in range(3):         # whoever was not logged in within the bounded stages, or failed
            left = []

            async def again(t: Taker, left=left) -> None:
                if not await self.login(t, setup):
                    left.append(t)
            while queue:
                await asyncio.gather(*(again(queue.pop()) for _ in range(min(len(queue), 10))))
            queue = left
        if queue:
            raise SystemExit(f"{len(queue)} takers could not log in: {setup.summary()}")

    # B0 / B1 (repeated, closed loop) ---------------------------------------------------------------------------
    async def repeated(self, name: str, step_for, before_rep=None) -> dict:
        """Warm-up, then `repeat` timed runs of C clients; RPS per repetition."""
        s = self.s
        reps = []
        with self.phase(name) as info:
            for r in range(s.repeat + 1):
                if before_rep:
                    await asyncio.to_thread(before_rep)
                rec = Recorder(name)
                load0 = loadavg()
                cpu0, scpu0 = time.process_time(), self.server.cpu_seconds()
                done, elapsed = await closed_loop(s.clients, s.warmup if r == 0 else s.rep_seconds, step_for(rec))
                if r == 0:
                    continue                                 # the warm-up is not recorded
                reps.append({"rps": len(rec.ok) / elapsed, "elapsed": elapsed, "load": (load0, loadavg()),
                             "generator_cpu": (time.process_time() - cpu0) / elapsed,
                             "server_cpu": cpu_share(self.server.cpu_seconds() - scpu0, elapsed), **rec.summary()})
            info["reps"] = reps
            info["rps_median"] = statistics.median(x["rps"] for x in reps)
        return info

    async def b0(self) -> None:
        for path, name in (("/healthz", "B0 healthz"), ("/static/css/app.css", "B0 static")):
            def step_for(rec, path=path):
                async def step(_i):
                    await call(self.client, rec, None, "GET", path)
                return step
            await self.repeated(name, step_for)

    async def b3(self) -> None:
        for size, key in zip(self.s.b3_sizes, ("B", "A"), strict=True):
            await self.b3_one(size, key)

    async def b3_one(self, size: int, key: str) -> None:
        group = self.takers[:size]
        rec = Recorder(f"start {size}")
        go = asyncio.Event()
        release = {}
        with self.phase(f"B3 {size}") as info:
            async def one(t: Taker) -> None:
                await go.wait()
                await self.start(t, key, rec, release["t0"])
            tasks = [asyncio.create_task(one(t)) for t in group]
            await asyncio.sleep(0.5)                     # every task waits on the barrier
            release["t0"] = time.perf_counter()
            go.set()
            await asyncio.gather(*tasks)
            info.update(size=size, exam=key, all_done=time.perf_counter() - release["t0"], **rec.summary())
        with self.app.app_context():
            exam_id = self.data["exams"][key]
            ids = [self.uid[t.username] for t in group]
            running = db.session.execute(select(Attempt.user_id, func.count()).where(
                Attempt.exam_id == exam_id, Attempt.user_id.in_(ids)).group_by(Attempt.user_id)).all()
            db.session.remove()
        info["db_attempts"] = sum(n for _u, n in running)
        info["db_people_with_more_than_one"] = sum(1 for _u, n in running if n > 1)

    async def b1(self) -> None:
        takers = self.takers
        rng = random.Random(SEED + 1)
        cursor: dict[tuple[str, int], int] = {}

        def rotating(kind: str, action):
            """Client i works through its own takers i, i + C, i + 2C, …: no taker has two requests in flight."""
            def step_for(rec):
                async def step(i):
                    k = cursor[(kind, i)] = cursor.get((kind, i), -1) + 1
                    mine = takers[i::self.s.clients]
                    await action(mine[k % len(mine)], rec)
                return step
            return step_for

        await self.repeated("B1 page", rotating("page", lambda t, rec: self.page(t, rec)))
        await self.repeated("B1 page json", rotating("json", lambda t, rec: self.page_json(t, rec)))
        await self.repeated("B1 save", rotating("save", lambda t, rec: self.save(t, "A", rec, rng)))
        exam_b = self.data["exams"]["B"]
        pool: list[tuple[Taker, int]] = []
        prepared = {"attempts": 0}

        def refill() -> None:
            with self.app.app_context():
                running = prepare_attempts(exam_b, [self.uid[t.username] for t in takers], answered=50,
                                           rng=self.rng)
                db.session.remove()
            pool.clear()
            pool.extend((t, running[self.uid[t.username]]) for t in takers)
            self.rng.shuffle(pool)
            prepared["attempts"] += len(pool)

        def step_for(rec):
            async def step(_i):
                if not pool:
                    return False
                taker, attempt_id = pool.pop()
                await self.submit(taker, attempt_id, rec)
            return step

        info = await self.repeated("B1 submit", step_for, before_rep=refill)
        with self.app.app_context():
            graded = db.session.execute(select(func.count(), func.count(Attempt.score)).where(
                Attempt.exam_id == exam_b, Attempt.status == "submitted")).one()
            answers = db.session.scalar(select(func.count()).select_from(Answer).join(Attempt).where(
                Attempt.exam_id == exam_b, Attempt.status == "submitted"))
            db.session.remove()
        info.update(db_submitted=graded[0], db_scored=graded[1], db_answers_of_submitted=answers)

    # B4 -----------------------------------------------------------------------------------------------------
    async def b4(self) -> None:
        s = self.s
        recs = {"save": Recorder("save"), "page": Recorder("page"), "submit": Recorder("submit")}
        rng = random.Random(SEED + 4)
        submitted: dict[int, dict] = {}
        with self.phase("B4") as info:
            t0 = time.perf_counter()
            end_saves = t0 + s.b4_save_seconds

            async def taker_day(t: Taker) -> None:
                await asyncio.sleep(rng.uniform(0, s.think))
                while time.perf_counter() < end_saves:
                    if rng.random() < 0.1:
                        await self.page(t, recs["page"])
                    else:
                        await self.save(t, "A", recs["save"], rng)
                    # the last pause ends with the save period: the phase stays bounded
                    await asyncio.sleep(min(rng.expovariate(1 / s.think), max(0.0, end_saves - time.perf_counter())))
                await asyncio.sleep(max(0.0, end_saves + rng.uniform(0, s.b4_submit_window) - time.perf_counter()))
                body = await self.submit(t, t.attempts["A"]["id"], recs["submit"])
                if body is not None:
                    submitted[t.attempts["A"]["id"]] = body

            await asyncio.gather(*(taker_day(t) for t in self.takers))
            info.update(duration=time.perf_counter() - t0, offered_save_rate=len(self.takers) / s.think * 0.9,
                        **{k: v.summary() for k, v in recs.items()})
            info["save_rps"] = len(recs["save"].ok) / s.b4_save_seconds
        with self.app.app_context():
            ids = [t.attempts["A"]["id"] for t in self.takers]
            stored = {}
            for start in range(0, len(ids), 500):
                for a, slot, seq, response in db.session.execute(select(
                        Answer.attempt_id, Answer.slot, Answer.seq, Answer.response).where(
                        Answer.attempt_id.in_(ids[start:start + 500]))).all():
                    stored[(a, slot)] = (seq, response)
            states = dict(db.session.execute(select(Attempt.status, func.count()).where(
                Attempt.id.in_(ids)).group_by(Attempt.status)).all())
            db.session.remove()
        mismatched = [k for k, v in self.ledger.items() if stored.get(k) != v]
        extra = [k for k in stored if k not in self.ledger]
        info.update(acknowledged=len(self.ledger), stored=len(stored), mismatched=len(mismatched),
                    unacknowledged_in_db=len(extra), mismatch_samples=[(k, self.ledger[k], stored.get(k))
                                                                       for k in mismatched[:5]],
                    attempt_states=states, submitted_ok=len(submitted))

    # B5 -----------------------------------------------------------------------------------------------------
    async def b5(self) -> None:
        s = self.s
        exam_a = self.data["exams"]["A"]
        now = utcnow()
        with self.app.app_context():
            rush = prepare_attempts(exam_a, [self.uid[t.username] for t in self.takers], answered=50, rng=self.rng)
            racing = self.rng.sample(sorted(rush.values()), max(1, len(rush) // 20))
            db.session.execute(update(Attempt).where(Attempt.id.in_(racing)).values(
                started_at=now - timedelta(minutes=95), deadline=now - timedelta(minutes=5)))
            db.session.commit()
            absent = prepare_attempts(exam_a, [self.uid[t.username] for t in self.absent], answered=30, rng=self.rng,
                                      started=now - timedelta(hours=2), deadline=now - timedelta(minutes=30))
            db.session.remove()
        rec = Recorder("submit")
        acked: dict[int, dict] = {}
        rng = random.Random(SEED + 5)
        scheduler_seconds = s.rush_window + (10 if s.small else 20)
        with self.phase("B5") as info:
            job = subprocess.Popen([sys.executable, __file__, "--scheduler-job", self.url, "--seconds",
                                    str(scheduler_seconds), "--every", str(s.scheduler_every)],
                                   cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   env={**os.environ, "EXAMAPP_INSTANCE_PATH": str(self.tmp)})
            t0 = time.perf_counter()

            async def one(t: Taker) -> None:
                await asyncio.sleep(rng.uniform(0, s.rush_window))
                attempt_id = rush[self.uid[t.username]]
                body = await self.submit(t, attempt_id, rec)
                if body is not None:
                    acked[attempt_id] = body

            await asyncio.gather(*(one(t) for t in self.takers))
            rush_seconds = time.perf_counter() - t0
            out, err = await asyncio.to_thread(job.communicate)
            if job.returncode:
                raise SystemExit(f"scheduler job failed: {err[-2000:]}")
            info.update(rush_seconds=rush_seconds, scheduler=json.loads(out.strip().splitlines()[-1]),
                        racing=len(racing), absent=len(absent), **rec.summary())
        with self.app.app_context():
            ids = sorted(set(rush.values()) | set(absent.values()))
            rows, events = {}, {}
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                for a, status, score, by in db.session.execute(select(
                        Attempt.id, Attempt.status, Attempt.score, Attempt.submitted_by).where(Attempt.id.in_(chunk))):
                    rows[a] = (status, score, by)
                for oid, n in db.session.execute(select(AuditEvent.object_id, func.count()).where(
                        AuditEvent.action == "attempt.submit", AuditEvent.object_type == "attempt",
                        AuditEvent.object_id.in_([str(a) for a in chunk])).group_by(AuditEvent.object_id)):
                    events[int(oid)] = n
            db.session.remove()
        by: dict[str, int] = {}
        for _status, _score, who in rows.values():
            by[who] = by.get(who, 0) + 1
        info.update(
            attempts=len(ids),
            not_submitted=sum(1 for st, _sc, _b in rows.values() if st != "submitted"),
            unscored=sum(1 for _st, sc, _b in rows.values() if sc is None),
            events_not_one=sum(1 for a in ids if events.get(a, 0) != 1),
            acked=len(acked),
            acked_score_differs=sum(1 for a, body in acked.items() if body.get("score") != rows[a][1]),
            submitted_by=by)

    async def profile(self) -> None:
        """A second gunicorn (same configuration) serving wsgi:app inside werkzeug's ProfilerMiddleware, driven
        with C clients per request kind; the per-request profiles are summed per kind and printed."""
        prof_dir = self.tmp / "profiles"
        prof_dir.mkdir(exist_ok=True)
        (self.tmp / "exam_day_profiled.py").write_text(PROFILE_WSGI)
        server = Server(self.url, self.tmp, secret=SECRET, app="exam_day_profiled:app", pythonpath=str(self.tmp),
                        env={"BENCH_PROFILE_DIR": str(prof_dir)})
        rng = random.Random(SEED + 9)
        takers = self.takers
        exam_b = self.data["exams"]["B"]
        try:
            async with make_client(server.base, len(takers) + 50) as self.client:
                with self.app.app_context():
                    pool = prepare_attempts(exam_b, [self.uid[t.username] for t in takers], answered=50, rng=self.rng)
                    db.session.remove()
                # B4 submitted every exam-A attempt: start new ones (their pages and saves are profiled too)
                rec = Recorder("profile")
                await asyncio.gather(*(self.start(t, "A", rec) for t in takers[:self.s.clients]))
                for kind, count in (("page", 60), ("save", 300), ("submit", 60), ("login", 12)):
                    mine = takers[:self.s.clients]

                    async def worker(i, kind=kind, count=count, mine=mine):
                        for k in range(i, min(count, len(takers)), len(mine)):
                            t = mine[i]
                            if kind == "page":
                                await self.page(t, rec)
                            elif kind == "save":
                                await self.save(t, "A", rec, rng)
                            elif kind == "submit":
                                t = takers[k]
                                await self.submit(t, pool[self.uid[t.username]], rec)
                            else:
                                await self.login(t, rec)
                    await asyncio.gather(*(worker(i) for i in range(len(mine))))
        finally:
            server.stop()
        text_out = summarize_profiles(prof_dir)
        (self.tmp / "profile.txt").write_text(text_out)
        self.results["profile"] = text_out
        self.log(f"profile written to {self.tmp / 'profile.txt'}")

    async def setup_for_b4(self) -> None:
        """--only-b4: log everyone in and start their exam-A attempts, unmeasured."""
        rec = Recorder("setup")
        sem = asyncio.Semaphore(10)

        async def ready(t: Taker) -> None:
            async with sem:
                if not (await self.login(t, rec) and await self.start(t, "A", rec)):
                    raise SystemExit(f"setup failed: {rec.summary()}")
        await asyncio.gather(*(ready(t) for t in self.takers))
        self.log(f"{self.dialect}: {len(self.takers)} takers logged in with running attempts")

    async def run(self) -> dict:
        self.server = Server(self.url, self.tmp, secret=SECRET)
        self.results["workers"] = len(self.server.workers())
        connections = len(self.takers) + len(self.background) + 50
        try:
            async with make_client(self.server.base, connections) as self.client:
                if self.s.only_b4:
                    await self.setup_for_b4()
                    await self.b4()
                    return self.results
                await self.b2()
                await self.b0()
                await self.b3()
                await self.b1()
                await self.b4()
                await self.b5()
        finally:
            self.server.stop()
        if self.s.profile:
            await self.profile()
        return self.results


# -- the scheduler job, as its own process ------------------------------------------------------------------------

def scheduler_job(url: str, seconds: float, every: float) -> None:
    """Run `exams.submit_overdue(now=utcnow())` every `every` seconds for `seconds`, like the scheduler process."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET})
    runs, submitted, took = 0, 0, []
    stop_at = time.monotonic() + seconds
    with app.app_context():
        while True:
            t = time.perf_counter()
            submitted += exams.submit_overdue(now=utcnow())
            db.session.remove()
            took.append(time.perf_counter() - t)
            runs += 1
            if time.monotonic() + every > stop_at:
                break
            time.sleep(every)
    print(json.dumps({"runs": runs, "submitted": submitted, "longest_run": max(took)}))


# -- profiling ------------------------------------------------------------------------------------------------------

PROFILE_WSGI = '''"""wsgi:app inside werkzeug's ProfilerMiddleware (bench/exam_day.py --profile): one .prof per request."""
import os

from werkzeug.middleware.profiler import ProfilerMiddleware

from wsgi import app as flask_app

app = ProfilerMiddleware(flask_app, stream=None, profile_dir=os.environ["BENCH_PROFILE_DIR"],
                         filename_format="{method}.{path}.{elapsed:.0f}ms.{time:.6f}.prof")
'''


def summarize_profiles(prof_dir: Path) -> str:
    """The per-request profiles summed per request kind (ids in the path replaced by N)."""
    import pstats
    groups: dict[str, list[str]] = {}
    for f in prof_dir.glob("*.prof"):
        m = re.match(r"^(.*)\.\d+ms\.[\d.]+\.prof$", f.name)
        if m:
            groups.setdefault(re.sub(r"\.\d+(?=\.|$)", ".N", m.group(1)), []).append(str(f))
    out = io.StringIO()
    for key, files in sorted(groups.items()):
        if len(files) < 5:
            continue
        stats = pstats.Stats(*files, stream=out)
        stats.files = []
        out.write(f"\n===== {key}: {len(files)} requests, {stats.total_tt / len(files) * 1000:.1f} ms of profiled "
                  "time each\n")
        stats.sort_stats("cumulative").print_stats(r"examapp|sqlalchemy/orm/session|jinja2/environment|scrypt|"
                                                   r"flask_login|flask_wtf|werkzeug/security|sqlite3|psycopg", 30)
        stats.sort_stats("tottime").print_stats(15)
    return out.getvalue()


# -- the report -----------------------------------------------------------------------------------------------------

def cpu_share(seconds: float, wall: float) -> float | None:
    """None when a worker was recycled in between (its CPU time left with it)."""
    return seconds / wall if seconds >= 0 else None


def f2(value) -> str:
    return "–" if value is None else f"{value:.2f}"


def ms(seconds) -> str:
    return "–" if seconds is None else f"{seconds * 1000:,.0f}"


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):,.0f} ({min(values):,.0f}–{max(values):,.0f})"


def verdict(ok: bool) -> str:
    return "holds" if ok else "MISSES"


def section(r: dict, s: Settings, started: datetime) -> tuple[str, list[str]]:
    name = "SQLite" if r["dialect"] == "sqlite" else "PostgreSQL"
    p = r["phases"]
    verdicts = []
    versions = [f"Python {platform.python_version()}", f"SQLite {sqlite3.sqlite_version}" if r["dialect"] == "sqlite"
                else f"PostgreSQL {r['version'].split()[0]} (psycopg {r['psycopg']})",
                f"SQLAlchemy {sqlalchemy.__version__}", f"gunicorn {gunicorn.__version__}", f"httpx {httpx.__version__}"]
    lines = [f"## B0–B5 Exam day through gunicorn ({name}) — {started:%Y-%m-%d %H:%M} UTC", "",
             "`bench/exam_day.py` (QUALITY B0–B5), `make bench-exam-day`.", "",
             f"Machine: {machine()}; the load generator (one asyncio + httpx process) runs on the same 2 cores, "
             "loopback only.  ",
             f"Versions: {' · '.join(versions)}  ",
             f"Server: gunicorn -c deploy/gunicorn.conf.py, its defaults: {r['workers']} workers × "
             f"{r['threads']} threads (gthread), access log to a file; EXAMAPP_CONFIG=development (production "
             "settings minus Secure cookies, since the bench speaks plain HTTP); EXAMAPP_PROXY_HOPS=1 with a "
             "distinct X-Forwarded-For per taker. "
             + ("SQLite: WAL, synchronous=NORMAL, busy_timeout=15000, BEGIN IMMEDIATE for writers "
                "(examapp/dbsetup.py)." if r["dialect"] == "sqlite" else
                "PostgreSQL on 127.0.0.1, database `bench_exam`, the app's default pool (QueuePool 5 + 10 overflow "
                "per worker, pre-ping)."),
             "",
             f"Data: {r['people']:,} people ({s.takers:,} takers, {s.background} background takers for B2, "
             f"{s.absent} absentees for B5), one unit tree (1 + 10 units), all with the employee role and one "
             f"shared scrypt hash (Core bulk inserts); a law and {r['questions']} single/judge questions imported "
             "with the app's importers; two exams published with the services, each drawing 50 questions (30 "
             "single, 20 judge, 2 points each): the annual exam A and a mock exam B. Seeded in "
             f"{r['seed_seconds']:.0f} s.", "",
             "Load avg: the 1-minute load average before → after (2 CPUs, shared with other work). Gen CPU: the "
             "load generator's CPU time ÷ wall time (1.00 = one full core); server CPU likewise for gunicorn's "
             "processes.", ""]
    # B0/B1
    h = p["B0 healthz"]["rps_median"]
    st = p["B0 static"]["rps_median"]
    lines += [f"### B0, B1: throughput, {s.clients} clients back to back, {s.repeat} × {s.rep_seconds} s after a "
              f"{s.warmup} s warm-up", "",
              "| request | RPS median (min–max) | ÷ H (healthz) per rep | ÷ static | p50 / p95 ms | errors | target "
              "| load avg | gen CPU | server CPU |", "|---|---|---|---|---|---|---|---|---|---|"]
    labels = {"B0 healthz": "B0 GET /healthz (SELECT 1 on the database) = H",
              "B0 static": "B0 GET /static/css/app.css (Flask static route, no database)",
              "B1 page": "B1 question page GET /exams/attempts/<id> (HTML, 50 questions)",
              "B1 page json": "(for comparison) the same paper as JSON, GET /api/v1/attempts/<id>",
              "B1 save": "B1 answer save PUT /api/v1/attempts/<id>/answers/<qid>",
              "B1 submit": "B1 submit + grade POST /api/v1/attempts/<id>/submit (50 answers)"}
    h_reps = [x["rps"] for x in p["B0 healthz"]["reps"]]
    for key, label in labels.items():
        if key not in p:
            continue
        ph = p[key]
        rps = [x["rps"] for x in ph["reps"]]
        ratios = [a / b for a, b in zip(rps, h_reps, strict=True)]
        lat = latency([])
        p50 = statistics.median(x["p50"] for x in ph["reps"] if x["p50"] is not None) if rps else None
        p95 = statistics.median(x["p95"] for x in ph["reps"] if x["p95"] is not None) if rps else None
        del lat
        errors = sum(x["errors"] for x in ph["reps"])
        kind = key.split()[1] if key.count(" ") == 1 else ""
        target = f"≥ {TARGETS[kind]:.2f}" if kind in TARGETS else ("baseline" if key.startswith("B0") else "–")
        loads = f"{ph['reps'][0]['load'][0]:.1f}→{ph['reps'][-1]['load'][1]:.1f}"
        lines.append(f"| {label} | {spread(rps)} | {statistics.median(ratios):.3f} ({min(ratios):.3f}–"
                     f"{max(ratios):.3f}) | {statistics.median(rps) / st:.3f} | {ms(p50)} / {ms(p95)} | {errors} | "
                     f"{target} | {loads} | {statistics.median(x['generator_cpu'] for x in ph['reps']):.2f} | "
                     f"{f2(statistics.median(x['server_cpu'] for x in ph['reps'] if x['server_cpu'] is not None))} |")
        if kind in TARGETS:
            ratio = statistics.median(ratios)
            verdicts.append(f"B1 {kind}: {ratio:.3f} × H (target ≥ {TARGETS[kind]:.2f}) — "
                            f"{verdict(ratio >= TARGETS[kind] and errors == 0)}")
    sub = p["B1 submit"]
    lines += ["", f"H = {h:,.0f} RPS (healthz), static {st:,.0f} RPS. Submit attempts: running exam-B attempts with "
              "50 saved answers, prepared by Core inserts before each repetition (not timed); in the database "
              f"afterwards {sub['db_submitted']:,} submitted exam-B attempts, {sub['db_scored']:,} with a score.", ""]
    # B2
    b2, hs = p["B2"], r["hash"]
    lines += ["### B2: logins", "",
              f"One password hash, `{hs['stored_prefix']}` (the app's `passwords.hash_password`, production method "
              f"{hs['method']}): {statistics.median(hs['hash_ms']):.0f} ms to hash, "
              f"{statistics.median(hs['check_ms']):.0f} ms to check (median of {len(hs['hash_ms'])}, in the bench "
              "process).", "",
              f"{s.takers:,} logins through the server (POST /api/v1/auth/login), in two stages each bounded to "
              f"{s.login_seconds} s; whoever was left was logged in afterwards without measurement "
              f"or whose login failed ({b2['unmeasured_logins']:,}). Meanwhile {s.background} background takers saved answers on exam B "
              "back to back (0.2 s pause). A login the server asks to retry (503 with Retry-After: password checks take "
              "turns, PASSWORD_CHECKS_AT_ONCE per worker) waits and is sent again, as the login page asks a person to; "
              "its latency counts from the first try.", "",
              "| stage | logins in flight | logins | s | logins/s | login p50 ms | p95 ms | max ms | errors "
              "| asked to retry (503) | load avg |",
              "|---|---|---|---|---|---|---|---|---|---|---|"]
    for k, x in b2["stages"].items():
        lines.append(f"| {k} | {x['concurrency']} | {x['n']:,} | {x['seconds']:.1f} | {x['rps']:.1f} | {ms(x['p50'])} "
                     f"| {ms(x['p95'])} | {ms(x['max'])} | {x['errors']} | {x.get('retries', 0):,} "
                     f"| {x['load'][0]:.1f}→{x['load'][1]:.1f} |")
    lines += ["", "| background saves | saves | p50 ms | p95 ms | max ms | errors |", "|---|---|---|---|---|---|"]
    for k, label in (("quiet", "before the logins"), ("logins", f"during logins, {s.login_concurrency} in flight"),
                     ("paced", f"during logins, {s.paced_logins} in flight"), ("after", "after")):
        x = b2["saves"][k]
        lines.append(f"| {label} | {x['n']:,} | {ms(x['p50'])} | {ms(x['p95'])} | {ms(x['max'])} | {x['errors']} |")
    for k in ("logins", "paced"):
        during, st2 = b2["saves"][k], b2["stages"][k]
        ok = during["errors"] == 0 and during["p95"] is not None and during["p95"] <= 0.3 and st2["errors"] == 0
        verdicts.append(f"B2 ({st2['concurrency']} logins in flight): {st2['rps']:.1f} logins/s, "
                        f"{st2['errors']} failed logins {st2['error_kinds'] or ''}, "
                        f"{statistics.median(hs['hash_ms']):.0f} ms per hash; saves meanwhile p95 {ms(during['p95'])} "
                        f"ms, {during['errors']} errors (criterion: ≤ 300 ms as B4, 0 errors) — {verdict(ok)}")
    # B3
    lines += ["", "### B3: synchronized start (one asyncio.Event releases every taker)", "",
              "| takers | exam | errors | p50 ms | p95 ms | max ms | all started after | attempts in DB | "
              "load avg | gen CPU | server CPU |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    for size in s.b3_sizes:
        x = p[f"B3 {size}"]
        lines.append(f"| {size:,} | {x['exam']} | {x['errors']} | {ms(x['p50'])} | {ms(x['p95'])} | {ms(x['max'])} "
                     f"| {x['all_done']:.1f} s | {x['db_attempts']:,} | {x['load_before']:.1f}→{x['load_after']:.1f} "
                     f"| {x['generator_cpu']:.2f} | {f2(x['server_cpu'])} |")
        if x["errors"]:
            lines.append(f"|  | errors: {x['error_kinds']} {x['samples'][:2]} |")
    big = p[f"B3 {s.b3_sizes[-1]}"]
    small = p[f"B3 {s.b3_sizes[0]}"]
    verdicts.append(f"B3: {small['errors']} / {big['errors']} errors, p95 at {s.b3_sizes[-1]:,} = "
                    f"{ms(big['p95'])} ms (target 0 errors, ≤ 3 s) — "
                    f"{verdict(small['errors'] == 0 and big['errors'] == 0 and big['p95'] <= 3)}")
    lines += ["", "Latency counts from the release (the connection, queueing in gunicorn and the start itself)."]
    # B4
    b4 = p["B4"]
    lines += ["", f"### B4: mixed exam workload, {s.takers:,} takers", "",
              f"Each taker: think time exponential, mean {s.think:g} s (an exam has ~108 s per question: "
              f"{108 / s.think:.0f}× compressed), then a save (90 %) or a reload of the question page (10 %), for "
              f"{s.b4_save_seconds} s; then a submit within {s.b4_submit_window} s. Offered saves ≈ "
              f"{b4['offered_save_rate']:.0f}/s. Duration {b4['duration']:.1f} s, load "
              f"{b4['load_before']:.1f}→{b4['load_after']:.1f}, gen CPU {b4['generator_cpu']:.2f}, server CPU "
              f"{f2(b4['server_cpu'])}.", "",
              "| request | count | errors | p50 ms | p95 ms | p99 ms | max ms |", "|---|---|---|---|---|---|---|"]
    for k in ("save", "page", "submit"):
        x = b4[k]
        lines.append(f"| {k} | {x['n']:,} | {x['errors']} | {ms(x['p50'])} | {ms(x['p95'])} | {ms(x['p99'])} | "
                     f"{ms(x['max'])} |")
    errors4 = sum(b4[k]["errors"] for k in ("save", "page", "submit"))
    lines += ["", f"Answers: {b4['acknowledged']:,} (attempt, slot) pairs acknowledged over B1 save and B4 (the "
              f"highest seq per slot); in the database {b4['stored']:,} answer rows on those attempts; "
              f"{b4['mismatched']} differ in seq or response, {b4['unacknowledged_in_db']} rows were never "
              f"acknowledged. Attempts afterwards: {b4['attempt_states']}."]
    verdicts.append(f"B4: {errors4} errors, p95(save) {ms(b4['save']['p95'])} ms (≤ 300), answers in DB = "
                    f"acknowledged: {b4['mismatched'] == 0 and b4['unacknowledged_in_db'] == 0} — "
                    f"{verdict(errors4 == 0 and b4['save']['p95'] <= 0.3 and b4['mismatched'] == 0 and b4['unacknowledged_in_db'] == 0)}")
    # B5
    b5 = p["B5"]
    lines += ["", "### B5: submit rush", "",
              f"{s.takers:,} takers submit a running exam-A attempt with 50 saved answers (prepared by Core inserts), "
              f"arriving uniformly over {s.rush_window} s; {b5['racing']} of those attempts are past deadline + "
              f"grace, and {b5['absent']} absentees' attempts (30 answers) too. A separate process runs "
              f"`exams.submit_overdue(now=utcnow())` every {s.scheduler_every:g} s: {b5['scheduler']['runs']} runs, "
              f"{b5['scheduler']['submitted']} attempts submitted by it, longest run "
              f"{b5['scheduler']['longest_run']:.2f} s.", "",
              "| submits | errors | p50 ms | p95 ms | max ms | last answered after | attempts checked | not "
              "submitted | no score | ≠ 1 submit event | acked score ≠ DB | submitted_by |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|",
              f"| {b5['n']:,} | {b5['errors']} | {ms(b5['p50'])} | {ms(b5['p95'])} | {ms(b5['max'])} | "
              f"{b5['rush_seconds']:.1f} s | {b5['attempts']:,} | {b5['not_submitted']} | {b5['unscored']} | "
              f"{b5['events_not_one']} | {b5['acked_score_differs']} | {b5['submitted_by']} |", "",
              f"Load {b5['load_before']:.1f}→{b5['load_after']:.1f}, gen CPU {b5['generator_cpu']:.2f}, server CPU "
              f"{f2(b5['server_cpu'])}."]
    ok5 = (b5["errors"] == 0 and b5["not_submitted"] == 0 and b5["unscored"] == 0 and b5["events_not_one"] == 0
           and b5["acked_score_differs"] == 0 and b5["rush_seconds"] <= 60)
    verdicts.append(f"B5: {b5['n']:,} submits in {b5['rush_seconds']:.1f} s, {b5['errors']} errors, "
                    f"{b5['not_submitted']} not submitted, {b5['events_not_one']} attempts without exactly one "
                    f"submit event — {verdict(ok5)}")
    lines += ["", "Targets:"] + [f"- {v}" for v in verdicts]
    return "\n".join(lines) + "\n", verdicts


NOTES_MARK = "<!-- B0–B5 notes: kept by bench/exam_day.py -->"


def write_sections(bodies: list[str]) -> None:
    """Replace the `## B0–B5` sections (each from its heading to the next `## `) with the new ones, in place of the
    first; keep everything else, and the hand-written notes block after NOTES_MARK."""
    out = ROOT / "docs" / "benchmarks.md"
    doc = out.read_text("utf-8")
    matches = list(re.finditer(r"^## B0–B5\b.*?(?=^## |\Z)", doc, flags=re.S | re.M))
    notes = ""
    for m in matches:
        if NOTES_MARK in m.group(0):
            notes = m.group(0)[m.group(0).index(NOTES_MARK):].rstrip() + "\n"
    new = "\n".join(bodies) + ("\n" + notes if notes else "")
    if matches:
        first = matches[0].start()
        for m in reversed(matches):
            doc = doc[:m.start()] + doc[m.end():]
        doc = doc[:first] + new + "\n" + doc[first:].lstrip("\n")
    else:
        doc = doc.rstrip("\n") + "\n\n" + new
    out.write_text(doc.rstrip("\n") + "\n", "utf-8")


# -- main -------------------------------------------------------------------------------------------------------------

def database(dialect: str, pg_server: str, tmp: Path) -> str:
    if dialect == "sqlite":
        return f"sqlite:///{tmp}/bench_exam.db"
    return fresh_pg(pg_server, PG_DATABASE)


def one_database(settings: Settings, dialect: str, pg_server: str, log, keep: bool) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="bench_exam_"))
    url = database(dialect, pg_server, tmp)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": str(tmp), "SECRET_KEY": SECRET})
    with app.app_context():
        log(f"{dialect}: seeding {url}")
        data = seed(settings, dialect, log)
        version = db.session.execute(text("select sqlite_version()" if dialect == "sqlite"
                                          else "show server_version")).scalar()
        db.session.remove()
    run = Run(settings, dialect, url, tmp, app, data, log)
    try:
        results = asyncio.run(run.run())
    finally:
        with app.app_context():
            db.engine.dispose()
    import psycopg
    results.update(dialect=dialect, version=version, psycopg=psycopg.__version__, people=data["people"],
                   questions=data["questions"], seed_seconds=data["seed_seconds"],
                   threads=int(os.environ.get("EXAMAPP_THREADS", "4")), tmp=str(tmp))
    if keep:
        log(f"kept {tmp}" + (f" and the database {PG_DATABASE}" if dialect == "postgresql" else ""))
    else:
        shutil.rmtree(tmp, ignore_errors=True)
        if dialect == "postgresql":
            drop_pg(pg_server, PG_DATABASE)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="smoke run: 50 takers, short phases, no docs")
    parser.add_argument("--takers", type=int, default=None)
    parser.add_argument("--clients", type=int, default=16, help="C: concurrent clients for B0/B1")
    parser.add_argument("--think", type=float, default=0, help="B4 mean think time, s (default 8; --small 1)")
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG_SERVER", PG_SERVER))
    parser.add_argument("--keep", action="store_true", help="keep the SQLite file / the PostgreSQL database")
    parser.add_argument("--write", dest="write", action="store_true", default=None)
    parser.add_argument("--no-write", dest="write", action="store_false")
    parser.add_argument("--only-b4", action="store_true",
                        help="only B4 (logins and starts unmeasured); prints, never writes the docs")
    parser.add_argument("--profile", action="store_true",
                        help="afterwards, cProfile every request kind in the workers (werkzeug ProfilerMiddleware)")
    parser.add_argument("--json", type=Path, help="also dump the raw results here")
    parser.add_argument("--scheduler-job", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--seconds", type=float, default=30, help=argparse.SUPPRESS)
    parser.add_argument("--every", type=float, default=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.chdir(ROOT)
    if args.scheduler_job:
        scheduler_job(args.scheduler_job, args.seconds, args.every)
        return
    settings = Settings(args.small, args.takers, args.clients, args.think, args.profile)
    settings.only_b4 = args.only_b4
    started = datetime.utcnow()
    t0 = time.perf_counter()

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - t0:6.0f} s] {message}", flush=True)

    dialects = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    results = [one_database(settings, d, args.pg, log, args.keep) for d in dialects]
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=str))
    if args.only_b4:
        for r in results:
            b4 = r["phases"]["B4"]
            print(r["dialect"], json.dumps({k: b4[k] for k in ("save", "page", "submit", "duration", "offered_save_rate",
                                                                "save_rps", "acknowledged", "stored", "mismatched",
                                                                "unacknowledged_in_db", "load_before", "load_after",
                                                                "generator_cpu", "server_cpu")}, default=str))
        return
    bodies = []
    for r in results:
        body, _verdicts = section(r, settings, started)
        print("\n" + body)
        bodies.append(body)
    if args.write if args.write is not None else not args.small:
        write_sections(bodies)
        print("written: docs/benchmarks.md (sections B0–B5)")


if __name__ == "__main__":
    main()
