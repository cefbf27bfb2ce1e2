# ruff: noqa: S608  (the baseline is SQL text by design: constants of the bench's own rows, quoted by _lit)
"""Benchmark B6 (QUALITY.md): the yearly rates report over 50k staff, 200 units and 2.5M answers.

Builds a fresh database (the migrations, as `flask db upgrade` does) and fills it, deterministically, with
a bureau of 200 units in three levels, 50,000 staff (the employee role; ~10% enforcement staff, ~3%
inactive or off post), three study plans for the year (everyone; enforcement staff; one district that also
counts practice), study records and practice answers, ~1% approved exemptions, enforcement certificates in
mixed states with their dated events, two published annual exams with their papers, ~50,000 attempts
(retakes, make-ups, some waiting for hand grading, a few still running) and 50 answers each. Rows go in
with SQLAlchemy Core executemany in chunks (SQLite) or COPY (PostgreSQL); nothing goes through the ORM.

Then, on the same data and in the same run, it times
  (a) the service: `rates.live(year, root, now)` for the bureau, and `rates.build(actor, year,
      unit_code=..., now=...)` for one district's subtree;
  (b) the baseline: ONE hand-written SQL statement (bench-side text, not the service's query builder) that
      computes the same per-unit own-staff counts with a GROUP BY unit,
after checking that (b) gives exactly the service's figures (`rates.own_counts(rates.facts(...))`) — the run
fails when they differ. Two report dates: the year closed (report date 31 December, validity judged by the
certificates' dated events) and during the year (report date today, validity by status). It counts the SQL
statements one report issues and writes/replaces the "B6" section of docs/benchmarks.md.

    .venv/bin/python bench/rates_report.py                              # 50,000 staff, SQLite and PostgreSQL
    .venv/bin/python bench/rates_report.py --staff 2000 --db sqlite     # smoke run (does not touch the docs)
    .venv/bin/python bench/rates_report.py --profile                    # + cProfile and the query plans

At full size a run takes about 6 minutes on 2 cores (loading ~40 s per database). The docs are written only at
full size (or with --write); the hand-written notes after the B6 notes marker in the section are kept.
"""
import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import random
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("EXAMAPP_CONFIG", "testing")

import flask_migrate  # noqa: E402
import sqlalchemy  # noqa: E402
from databases import drop_pg, fresh_pg  # noqa: E402
from docs_section import machine, write_section  # noqa: E402
from sqlalchemy import JSON, create_engine, event, text  # noqa: E402

from examapp import create_app  # noqa: E402
from examapp.domain.rates import COUNTS, Counts  # noqa: E402
from examapp.extensions import db  # noqa: E402
from examapp.models import OrgUnit  # noqa: E402
from examapp.services import rates  # noqa: E402
from examapp.services.actors import SystemActor  # noqa: E402
from examapp.services.certificate_views import local_today  # noqa: E402

YEAR = 2026
NOW_CLOSED = datetime(2027, 1, 20, 2, 0)     # 10:00 on 20 January (UTC+8): the year is over, report date 31 Dec
NOW_LIVE = datetime(2026, 12, 20, 2, 0)      # during the year: report date today
PG_SERVER = "postgresql://postgres@127.0.0.1:5432/"
PG_DATABASE = "bench_b6"
QUESTIONS = 400
PER_PAPER = 50
DISTRICT = "D15"                             # the subtree timed with rates.build (its plan counts practice)
FULL_STAFF = 50_000
T0 = datetime(2020, 1, 1)


# -- data ---------------------------------------------------------------------------------------------------

def _years_after(day: date, years: int) -> date:
    return day.replace(year=day.year + years, day=min(day.day, 28) if day.month == 2 else day.day)


def _clamp(value: float, low: int, high: int) -> int:
    return max(low, min(high, int(round(value))))


class Bureau:
    """The generated bureau. Small tables are built in memory as dicts; attempts and answers are produced
    in blocks from their own seeded generators, so both databases receive identical rows."""

    def __init__(self, staff: int, seed: int = 6):
        self.staff, self.seed = staff, seed
        self.rng = random.Random(seed)
        self.tables: list[tuple[str, list[dict]]] = []
        self.updates: list[tuple[str, list[dict]]] = []
        self._units()
        self._people()
        self._questions()
        self._study()
        self._exemptions()
        self._exams()
        self._certificates()

    def add(self, table: str, rows: list[dict]) -> None:
        self.tables.append((table, rows))

    # org tree: the bureau, 12 departments and 8 districts, 179 units below them (one inactive, empty)
    def _units(self) -> None:
        rows = [dict(id=1, code="SJ", name="市局", kind="bureau", parent_id=None, path="/1/", depth=0,
                     sort_order=0, active=True, created_at=T0)]
        for i in range(20):
            uid, district = 2 + i, i >= 12
            rows.append(dict(id=uid, code=f"D{i + 1:02d}", name=f"区县局{i - 11}" if district else f"处室{i + 1}",
                             kind="district" if district else "department", parent_id=1, path=f"/1/{uid}/",
                             depth=1, sort_order=i, active=True, created_at=T0))
        for j in range(179):
            uid = 22 + j
            parent = 2 + j // 3 if j < 36 else 14 + (j - 36) % 8
            rows.append(dict(id=uid, code=f"S{j + 1:03d}", name=f"基层单位{j + 1}", kind="other", parent_id=parent,
                             path=f"/1/{parent}/{uid}/", depth=2, sort_order=j, active=uid != 200, created_at=T0))
        self.add("org_unit", rows)
        self.units = rows
        self.paths = {u["id"]: u["path"] for u in rows}
        self.district_id = next(u["id"] for u in rows if u["code"] == DISTRICT)
        rng = self.rng
        # each unit has its own habits, so that the units' rates and classes differ
        self.habit = {u["id"]: (rng.uniform(0.80, 0.99), rng.uniform(-0.15, 0.15), rng.gauss(0, 2.5)) for u in rows}

    def _people(self) -> None:
        rng, n = self.rng, self.staff
        units = [u["id"] for u in self.units if u["active"]]
        weights = [6.0 if u == 1 else (3.0 if u <= 21 else rng.uniform(0.5, 1.5) * 3.0) for u in units]
        self.unit_of = dict(zip(range(1, n + 1), rng.choices(units, weights, k=n), strict=True))
        users, roles = [], []
        self.enforcement, self.learners = set(), []
        for uid in range(1, n + 1):
            r = rng.random()
            active, on_post = r >= 0.015, not 0.015 <= r < 0.03
            enforcement = rng.random() < 0.10
            users.append(dict(id=uid, username=f"u{uid:06d}", name=f"员工{uid}", unit_id=self.unit_of[uid],
                              position="科员", email="", on_post=on_post, is_enforcement=enforcement,
                              is_supervision=rng.random() < 0.02, is_leader=rng.random() < 0.05, active=active,
                              password_hash="", must_change_password=False, session_version=1,
                              password_changed_at=None, created_at=T0))
            roles.append(dict(id=len(roles) + 1, user_id=uid, role="employee", scope_unit_id=None))
            if rng.random() < 0.01:
                roles.append(dict(id=len(roles) + 1, user_id=uid, role="unit_admin", scope_unit_id=self.unit_of[uid]))
            if enforcement:
                self.enforcement.add(uid)
        # accounts without the employee role are never learners: admins, auditors, unit admins of the units
        for k in range(24):
            uid = n + 1 + k
            role = "admin" if k < 4 else ("auditor" if k < 8 else "unit_admin")
            unit = 1 if k < 8 else 2 + k % 20
            users.append(dict(id=uid, username=f"staff{k:02d}", name=f"管理员{k}", unit_id=unit, position="",
                              email="", on_post=True, is_enforcement=False, is_supervision=False, is_leader=False,
                              active=True, password_hash="", must_change_password=False, session_version=1,
                              password_changed_at=None, created_at=T0))
            roles.append(dict(id=len(roles) + 1, user_id=uid, role=role,
                              scope_unit_id=None if role == "admin" else unit))
        self.admin_id = n + 1
        self.add("user", users)
        self.add("user_role", roles)
        self.users = users

    def _questions(self) -> None:
        rng = self.rng
        self.add("law", [dict(id=1, code="b6_law", title="基准测试法", current_version_id=None, created_at=T0)])
        questions, versions = [], []
        self.right, self.wrong, self.qtype = {}, {}, {}
        options = ["甲", "乙", "丙", "丁"]
        for q in range(1, QUESTIONS + 1):
            kind = ("single", "multiple", "judge")[q % 3]
            right = {"single": "A", "multiple": ["A", "C"], "judge": True}[kind]
            self.right[q], self.wrong[q] = right, {"single": "B", "multiple": ["B"], "judge": False}[kind]
            self.qtype[q] = kind
            questions.append(dict(id=q, ext_id=f"b6-{q:04d}", law_id=1, current_version_id=None, status="active",
                                  review_reason="", created_at=T0, updated_at=T0))
            versions.append(dict(id=q, question_id=q, version=1, type=kind, difficulty=rng.randint(1, 3),
                                 stem=f"第{q}题：依照本法，下列说法正确的是？", options=[] if kind == "judge" else options,
                                 answer=right, explanation="", articles=[q % 90 + 1], tags=[], items=[],
                                 content_hash=f"{q:064x}", created_at=T0, created_by="bench"))
        self.add("question", questions)
        self.add("question_version", versions)
        self.updates.append(("UPDATE question SET current_version_id = :v WHERE id = :i",
                             [{"v": q, "i": q} for q in range(1, QUESTIONS + 1)]))

    def _study(self) -> None:
        rng, y = self.rng, YEAR
        courses = [dict(id=1, title=f"{y}年度必修课程", description="", year=y, category="required", status="published",
                        created_by="bench", created_at=datetime(y, 1, 3)),
                   dict(id=2, title=f"{y}年度选修课程", description="", year=y, category="elective", status="published",
                        created_by="bench", created_at=datetime(y, 1, 3)),
                   dict(id=3, title=f"{y - 1}年度必修课程", description="", year=y - 1, category="required",
                        status="published", created_by="bench", created_at=datetime(y - 1, 1, 3))]
        spec = [(1, "document", 1200), (1, "offline", 480), (1, "offline", 240), (1, "video", 600),
                (2, "document", 600), (2, "video", 480), (3, "document", 2400)]
        lessons = [dict(id=i + 1, course_id=c, ordinal=i, kind=k, title=f"课程{c}第{i + 1}课", credit_minutes=m, body="")
                   for i, (c, k, m) in enumerate(spec)]
        self.add("course", courses)
        self.add("lesson", lessons)
        deadline = datetime(y, 12, 31, 15, 59)
        d15 = next(u["code"] for u in self.units if u["id"] == self.district_id)
        self.add("study_plan", [
            dict(id=1, year=y, title=f"{y}年度法治学习计划", required_hours=40, compulsory_hours=30, deadline=deadline,
                 count_practice=False, audience=[], created_by="bench", created_at=datetime(y, 1, 5)),
            dict(id=2, year=y, title=f"{y}年度执法人员学习计划", required_hours=50, compulsory_hours=35,
                 deadline=deadline, count_practice=False, audience=[["flag", "is_enforcement"]], created_by="bench",
                 created_at=datetime(y, 2, 1)),
            dict(id=3, year=y, title=f"{y}年度{DISTRICT}学法计划（计入练习）", required_hours=45, compulsory_hours=30,
                 deadline=deadline, count_practice=True, audience=[["unit_tree", d15]], created_by="bench",
                 created_at=datetime(y, 3, 1)),
            dict(id=4, year=y - 1, title=f"{y - 1}年度法治学习计划", required_hours=40, compulsory_hours=30,
                 deadline=datetime(y - 1, 12, 31, 15, 59), count_practice=False, audience=[], created_by="bench",
                 created_at=datetime(y - 1, 1, 5))])
        records, practice = [], []
        category = {1: "required", 2: "elective", 3: "required"}
        district_path = self.paths[self.district_id]

        def record(uid: int, lesson: dict, minutes: float) -> None:
            at = datetime(courses[lesson["course_id"] - 1]["year"], rng.randint(2, 11), rng.randint(1, 28), 3)
            kind = "offline" if lesson["kind"] == "offline" else "online"
            records.append(dict(id=len(records) + 1, user_id=uid, lesson_id=lesson["id"], course_id=lesson["course_id"],
                                year=courses[lesson["course_id"] - 1]["year"], kind=kind,
                                category=category[lesson["course_id"]], minutes=float(minutes),
                                source="attendance" if kind == "offline" else "heartbeat", recorded_by="bench",
                                recorded_at=at, completed_at=at if minutes >= lesson["credit_minutes"] else None))

        for user in self.users[:self.staff]:
            uid = user["id"]
            level = rng.random() + self.habit[user["unit_id"]][1]
            if level > 0.30:                               # finished the compulsory courses
                for lesson in lessons[:4]:
                    record(uid, lesson, lesson["credit_minutes"])
                for lesson in lessons[4:6]:
                    if rng.random() < 0.7:
                        record(uid, lesson, lesson["credit_minutes"] if rng.random() < 0.8
                               else rng.randint(60, lesson["credit_minutes"]))
            elif level > 0.08:                             # part of the way
                for lesson in lessons[:6]:
                    if rng.random() < 0.75:
                        share = rng.uniform(0.3, 1.0)
                        record(uid, lesson, lesson["credit_minutes"] if share > 0.9
                               else int(lesson["credit_minutes"] * share))
            else:                                          # barely started
                lesson = lessons[rng.randint(0, 3)]
                record(uid, lesson, rng.randint(10, lesson["credit_minutes"] // 2))
            if rng.random() < 0.4:                         # last year's course: another year, never counted
                record(uid, lessons[6], lessons[6]["credit_minutes"])
            if rng.random() < 0.01:                        # practice time credited as a record
                at = datetime(y, rng.randint(1, 12), rng.randint(1, 28), 5)
                records.append(dict(id=len(records) + 1, user_id=uid, lesson_id=None, course_id=None, year=y,
                                    kind="practice", category="required", minutes=float(rng.randint(30, 600)),
                                    source="practice", recorded_by="bench", recorded_at=at, completed_at=None))
            in_district = self.paths[user["unit_id"]].startswith(district_path)
            if rng.random() < (0.6 if in_district else 0.02):
                days = {date(y, 1, 1) + timedelta(days=rng.randint(0, 364)) for _ in range(rng.randint(1, 8))}
                if rng.random() < 0.2:
                    days.add(date(y - 1, 12, rng.randint(1, 31)))     # last year's practice: not counted
                for day in sorted(days):
                    for _ in range(rng.randint(5, 60)):
                        q = rng.randint(1, QUESTIONS)
                        ok = rng.random() < 0.7
                        practice.append((len(practice) + 1, uid, q, q, ok, self.right[q] if ok else self.wrong[q],
                                         "practice", None, datetime(day.year, day.month, day.day, 2, 30), day))
        self.add("study_record", records)
        self.practice = practice

    def _exemptions(self) -> None:
        rng, rows = self.rng, []
        for user in self.users[:self.staff]:
            r = rng.random()
            status, year = ("approved", YEAR) if r < 0.010 else ("pending", YEAR) if r < 0.013 else \
                ("rejected", YEAR) if r < 0.015 else ("approved", YEAR - 1) if r < 0.018 else (None, None)
            if status is None:
                continue
            copies = 2 if status == "approved" and year == YEAR and rng.random() < 0.03 else 1
            for _ in range(copies):
                rows.append(dict(id=len(rows) + 1, user_id=user["id"], year=year,
                                 reason_kind=rng.choice(["retirement", "maternity", "illness", "other"]),
                                 reason="情况说明", attachment_name="", attachment_path="", attachment_type="",
                                 status=status, approval_id=None, requested_by=self.admin_id,
                                 requested_at=datetime(year, 3, 1), decided_by=None if status == "pending"
                                 else self.admin_id + 1, decided_at=None if status == "pending"
                                 else datetime(year, 3, 5)))
        self.add("exemption", rows)

    def _exams(self) -> None:
        rng, y = self.rng, YEAR
        default_bands = [["优秀", 90], ["良好", 80], ["合格", 60], ["不合格", 0]]

        def exam(eid, title, kind, year, status, counting, pass_mark, bands, opens):
            return dict(id=eid, title=title, kind=kind, year=year, status=status, opens_at=opens,
                        closes_at=opens + timedelta(days=30), pass_mark=pass_mark, counting=counting, bands=bands,
                        makeup_opens_at=opens + timedelta(days=40), makeup_closes_at=opens + timedelta(days=47),
                        current_paper_id=None, created_by="bench", created_at=opens - timedelta(days=20))
        exams = [exam(1, f"{y}年度学法考试", "annual", y, "published", "best", 60, default_bands, datetime(y, 10, 10)),
                 exam(2, f"{y}年度执法人员专项考试", "annual", y, "closed", "last", 70,
                      [["优秀", 85], ["良好", 78], ["合格", 70], ["不合格", 0]], datetime(y, 9, 1)),
                 exam(3, f"{y}年度学法考试（草稿）", "annual", y, "draft", "best", 60, default_bands,
                      datetime(y, 11, 20)),
                 exam(4, f"{y - 1}年度学法考试", "annual", y - 1, "closed", "best", 60, default_bands,
                      datetime(y - 1, 10, 10)),
                 exam(5, f"{y}年度模拟考试", "mock", y, "published", "best", 60, default_bands, datetime(y, 8, 1))]
        self.add("exam", exams)
        self.exams = {e["id"]: e for e in exams}
        papers, self.papers, self.slots = [], {}, {}
        for e in exams:
            picked = rng.sample(range(1, QUESTIONS + 1), PER_PAPER)
            self.papers[e["id"]] = picked
            self.slots[e["id"]] = [{"v": q, "p": 2.0, "o": [] if self.qtype[q] == "judge" else rng.sample(range(4), 4)}
                                   for q in picked]
            papers.append(dict(id=e["id"], exam_id=e["id"], version=1, mode="fixed", fixed=[[q, 2.0] for q in picked],
                               rules=[], created_at=e["created_at"], created_by="bench"))
        self.add("exam_paper", papers)
        self.updates.append(("UPDATE exam SET current_paper_id = :p WHERE id = :i",
                             [{"p": e["id"], "i": e["id"]} for e in exams]))
        # the sittings: (exam, user, number, makeup, status, correct answers or None when pending, started)
        sittings = []

        def sit(eid: int, uid: int, mean: float, pass_mark: float, retake_after_pass: float) -> None:
            opens = self.exams[eid]["opens_at"]
            number, correct = 1, _clamp(rng.gauss(mean, 6), 0, PER_PAPER)
            while True:
                makeup = number > 1 and rng.random() < 0.5
                start = opens + timedelta(days=47 if makeup else rng.randint(0, 29), minutes=rng.randint(0, 600))
                pending = rng.random() < 0.01
                sittings.append([eid, uid, number, makeup, "submitted", None if pending else correct, start])
                failed = 2 * correct < pass_mark
                if number >= 3 or not (rng.random() < (0.6 if failed else retake_after_pass)):
                    break
                number, correct = number + 1, _clamp(rng.gauss(mean + 3, 6), 0, PER_PAPER)
            if rng.random() < 0.004:
                sittings[-1][4], sittings[-1][5] = "running", None      # the last one is still open

        for user in self.users[:self.staff]:
            uid = user["id"]
            p_sit, _study, shift = self.habit[user["unit_id"]]
            if rng.random() < p_sit:
                sit(1, uid, 37 + shift, 60, 0.03)
            if uid in self.enforcement and rng.random() < 0.85:
                sit(2, uid, 39 + shift, 70, 0.05)
            if rng.random() < 0.01:
                sit(4, uid, 37, 60, 0.0)
            if rng.random() < 0.01:
                sit(5, uid, 35, 60, 0.0)
        self.sittings = sittings

    def attempt_rows(self) -> list[tuple]:
        rows = []
        for aid, (eid, uid, number, makeup, status, correct, start) in enumerate(self.sittings, 1):
            done = status == "submitted"
            score = None if correct is None else 2.0 * correct
            rows.append((aid, eid, uid, eid, number, makeup, status, start, start + timedelta(minutes=90),
                         start + timedelta(minutes=30 + aid % 55) if done else None, "person" if done else "",
                         self.slots[eid], score, None if score is None else score >= self.exams[eid]["pass_mark"],
                         done and correct is None, "10.0.0.1"))
        return rows

    ATTEMPT_COLUMNS = ("id", "exam_id", "user_id", "paper_id", "number", "makeup", "status", "started_at", "deadline",
                       "submitted_at", "submitted_by", "slots", "score", "passed", "pending_manual", "ip")
    ANSWER_COLUMNS = ("id", "attempt_id", "slot", "question_version_id", "response", "seq", "flagged", "saved_at",
                      "points", "correct")
    PRACTICE_COLUMNS = ("id", "user_id", "question_id", "version_id", "correct", "response", "source", "mock_id",
                        "answered_at", "day")

    def answer_blocks(self, block: int = 2000) -> Iterator[list[tuple]]:
        """50 answers per attempt, in blocks of `block` attempts, each block from its own seeded generator."""
        answer_id = 0
        for first in range(0, len(self.sittings), block):
            rng = random.Random(self.seed * 1_000_003 + first)
            rows = []
            for aid, (eid, _uid, _n, _m, status, correct, start) in enumerate(self.sittings[first:first + block],
                                                                              first + 1):
                graded = status == "submitted" and correct is not None
                right = set(rng.sample(range(PER_PAPER), correct)) if graded else set()
                for slot, q in enumerate(self.papers[eid]):
                    answer_id += 1
                    ok = slot in right
                    rows.append((answer_id, aid, slot, q, self.right[q] if ok or rng.random() < 0.5 else self.wrong[q],
                                 1 + slot % 3, slot == 7, start + timedelta(seconds=60 * slot + 30),
                                 (2.0 if ok else 0.0) if graded else None, ok if graded else None))
            yield rows

    def _certificates(self) -> None:
        """ENFORCEMENT certificates for ~92% of the enforcement staff in mixed states, with dated events;
        a few held by others and some SUPERVISION ones (neither counts)."""
        rng, y = self.rng, YEAR
        certs, events, replaced = [], [], []

        def day(start: date, end: date) -> date:
            return start + timedelta(days=rng.randint(0, (end - start).days))

        def cert(uid: int, issued: date, status: str, kind: str = "ENFORCEMENT", expires: date | None = None) -> int:
            cid = len(certs) + 1
            certs.append(dict(id=cid, type=kind, number=f"{'ZF' if kind == 'ENFORCEMENT' else 'JD'}-{cid:07d}",
                              holder_id=uid, unit_id=self.unit_of.get(uid, 1), authority="市局", area="综合执法",
                              issued_on=issued, expires_on=expires or _years_after(issued, 5),
                              status=status, last_review_on=None, evidence={}, replaced_by_id=None,
                              created_at=datetime(issued.year, issued.month, issued.day, 1)))
            ev(cid, "issue", issued)
            return cid

        def ev(cid: int, kind: str, on: date, hour: int = 2) -> None:
            events.append(dict(id=len(events) + 1, certificate_id=cid, kind=kind, on=on, reason="", actor="bench",
                               data={}, at=datetime(on.year, on.month, on.day, hour, rng.randint(0, 59))))

        early, late = date(y - 4, 1, 1), date(y, 10, 31)
        for uid in sorted(self.enforcement):
            r = rng.random()
            if r < 0.08:
                continue                                          # never certified
            if r < 0.62:                                          # valid, some reviewed
                cid = cert(uid, day(early, late), "valid")
                if rng.random() < 0.3:
                    ev(cid, "review", day(date(y, 1, 1), date(y, 12, 15)))
            elif r < 0.65:                                        # valid by status, but past its date
                cert(uid, date(y - 5, 12, 21) + timedelta(days=rng.randint(0, 9)), "valid")
            elif r < 0.69:                                        # expired (some only after 31 Dec)
                expires = day(date(y, 6, 1), date(y + 1, 1, 15))
                cid = cert(uid, _years_after(expires, -5), "expired", expires=expires)
                ev(cid, "expire", expires + timedelta(days=1))
            elif r < 0.75:                                        # renewed: the old one replaced
                old_issued = day(date(y - 5, 1, 1), date(y - 5, 12, 1))
                on = day(date(y, 1, 1), date(y, 11, 30))
                old = cert(uid, old_issued, "replaced")
                ev(old, "renew", on)
                new = cert(uid, on, "valid")
                replaced.append({"r": new, "i": old})
            elif r < 0.78:                                        # suspended in the year; a third reinstated
                cid = cert(uid, day(early, date(y, 1, 31)), "suspended")
                on = day(date(y, 3, 1), date(y, 11, 30))
                ev(cid, "suspend", on, 2)
                if rng.random() < 0.33:
                    ev(cid, "reinstate", on if rng.random() < 0.5 else on + timedelta(days=20), 5)
                    certs[-1]["status"] = "valid"
            elif r < 0.80:                                        # suspended after the year's end
                cid = cert(uid, day(early, late), "suspended")
                ev(cid, "suspend", day(date(y + 1, 1, 2), date(y + 1, 1, 15)))
            elif r < 0.81:                                        # revoked
                cid = cert(uid, day(early, late), "revoked")
                ev(cid, "revoke", day(date(y, 2, 1), date(y, 12, 20)))
            elif r < 0.825:                                       # lost and reissued
                old = cert(uid, day(early, date(y - 1, 12, 31)), "lost")
                on = day(date(y, 1, 1), date(y, 11, 30))
                ev(old, "lose", on)
                ev(old, "reissue", on + timedelta(days=10))
                new = cert(uid, on + timedelta(days=10), "valid")
                replaced.append({"r": new, "i": old})
            elif r < 0.835:                                       # cancelled
                cid = cert(uid, day(early, late), "cancelled")
                ev(cid, "cancel", day(date(y, 1, 1), date(y, 12, 20)))
            elif r < 0.87:                                        # imported without history
                status = "valid" if rng.random() < 0.8 else "suspended"
                cid = cert(uid, day(early, late), status)
                events.pop()                                      # no issue event, only the import
                ev(cid, "import", certs[-1]["issued_on"])
            elif r < 0.88:                                        # issued after the report date
                cert(uid, day(date(y + 1, 1, 1), date(y + 1, 1, 18)), "valid")
            else:
                cid = cert(uid, day(early, late), "valid")
                ev(cid, "propose_cancel", day(date(y, 1, 1), date(y, 12, 1)))
        others = [u["id"] for u in self.users[:self.staff] if u["id"] not in self.enforcement]
        for uid in others:
            if rng.random() < 0.01:
                cert(uid, day(early, late), "valid")              # not enforcement staff: not counted
            elif rng.random() < 0.02:
                cert(uid, day(early, late), "valid", kind="SUPERVISION")
        self.add("certificate", certs)
        self.add("certificate_event", events)
        self.updates.append(("UPDATE certificate SET replaced_by_id = :r WHERE id = :i", replaced))


# -- loading --------------------------------------------------------------------------------------------------

def _complete(table_name: str, rows: list[dict]) -> tuple[list[str], list[tuple]]:
    """Rows as tuples over the given keys plus the model's defaults for the columns they leave out."""
    table = db.metadata.tables[table_name]
    keys = list(rows[0])
    extra = {}
    for column in table.columns:
        if column.name in keys:
            continue
        if column.default is not None:
            extra[column.name] = column.default.arg if column.default.is_scalar else column.default.arg(None)
        elif not column.nullable:
            raise SystemExit(f"{table_name}.{column.name}: no value and no default")
    tail = tuple(extra.values())
    return keys + list(extra), [tuple(r[k] for k in keys) + tail for r in rows]


class Loader:
    CHUNK = 50_000

    def __init__(self, dialect: str):
        self.dialect = dialect
        self.counts: dict[str, int] = {}

    def load(self, table_name: str, columns: Iterable[str], rows: list[tuple]) -> None:
        if not rows:
            return
        columns = list(columns)
        self.counts[table_name] = self.counts.get(table_name, 0) + len(rows)
        if self.dialect == "postgresql":
            self._copy(table_name, columns, rows)
            return
        table = db.metadata.tables[table_name]
        with db.engine.begin() as conn:
            for start in range(0, len(rows), self.CHUNK):
                conn.execute(table.insert(), [dict(zip(columns, r, strict=True)) for r in rows[start:start + self.CHUNK]])

    def _copy(self, table_name: str, columns: list[str], rows: list[tuple]) -> None:
        table = db.metadata.tables[table_name]
        json_at = [i for i, c in enumerate(columns) if isinstance(table.c[c].type, JSON)]
        cache: dict[int, tuple[object, str]] = {}

        def dumped(value):
            if value is None:
                return None
            hit = cache.get(id(value))
            if hit is None or hit[0] is not value:
                hit = cache[id(value)] = (value, json.dumps(value, ensure_ascii=False))
            return hit[1]

        raw = db.engine.raw_connection()
        try:
            pg = raw.driver_connection
            names = ", ".join(f'"{c}"' for c in columns)
            with pg.cursor() as cur, cur.copy(f'COPY "{table_name}" ({names}) FROM STDIN') as copy:
                for row in rows:
                    if json_at:
                        row = list(row)
                        for i in json_at:
                            row[i] = dumped(row[i])
                    copy.write_row(row)
            pg.commit()
        finally:
            raw.close()

    def execute_many(self, statement: str, params: list[dict]) -> None:
        if params:
            with db.engine.begin() as conn:
                conn.execute(text(statement), params)


def build_database(dialect: str, url: str, bureau: Bureau, log) -> dict[str, int]:
    """Schema by the migrations, then the bureau's rows. Returns the row counts."""
    flask_migrate.upgrade()
    loader = Loader(dialect)
    started = time.perf_counter()
    order = ["org_unit", "user", "user_role", "law", "question", "question_version", None, "course", "lesson",
             "study_plan", "study_record", "practice_answer", "exemption", "exam", "exam_paper", None, "attempt",
             "answer", "certificate", None, "certificate_event"]
    tables, updates = dict(bureau.tables), iter(bureau.updates)
    for name in order:
        if name is None:
            loader.execute_many(*next(updates))
        elif name == "practice_answer":
            loader.load(name, Bureau.PRACTICE_COLUMNS, bureau.practice)
        elif name == "attempt":
            loader.load(name, Bureau.ATTEMPT_COLUMNS, bureau.attempt_rows())
        elif name == "answer":
            for rows in bureau.answer_blocks():
                loader.load(name, Bureau.ANSWER_COLUMNS, rows)
        else:
            loader.load(name, *_complete(name, tables[name]))
        if name:
            log(f"  {name}: {loader.counts.get(name, 0):,} rows ({time.perf_counter() - started:.0f} s)")
    if dialect == "postgresql":
        with db.engine.begin() as conn:
            for name in loader.counts:
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "
                                  f"(SELECT max(id) FROM \"{name}\"))"))
        autocommit = create_engine(url, isolation_level="AUTOCOMMIT")
        with autocommit.connect() as conn:
            conn.execute(text("VACUUM ANALYZE"))
        autocommit.dispose()
    else:
        with db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    log(f"  loaded in {time.perf_counter() - started:.0f} s")
    return loader.counts


# -- the baseline: one hand-written statement -------------------------------------------------------------------

STATUS_EVENTS = ("issue", "review", "renew", "suspend", "reinstate", "revoke", "recall", "cancel", "lose",
                 "reissue", "expire")
LEAVES_VALID = ("issue", "review", "reinstate")


def _lit(value) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _in(values) -> str:
    return ", ".join(_lit(v) for v in values)


def _json(value):
    return json.loads(value) if isinstance(value, str) else value


def baseline_sql(year: int, as_of: date, today: date, root_path: str) -> str:
    """The same own-staff counts per unit as ONE SQL statement, written out by hand for this year's plans and
    exams (their rules are read from their rows and written into the statement as constants)."""
    session = db.session
    paths = dict(session.execute(text("SELECT code, path FROM org_unit")).all())
    plans = sorted(session.execute(text("SELECT id, required_hours, compulsory_hours, count_practice, audience, "
                                        "created_at FROM study_plan WHERE year = :y"), {"y": year}).all(),
                   key=lambda p: (p.created_at, p.id), reverse=True)
    exams = session.execute(text("SELECT id, counting, pass_mark, bands FROM exam WHERE kind = 'annual' "
                                 "AND year = :y AND status IN ('published', 'closed') ORDER BY id"), {"y": year}).all()

    def audience(entries) -> str:
        if not entries:
            return "1 = 1"
        terms = []
        for kind, value in entries:
            if kind == "unit_tree":
                terms.append(f"p.path LIKE {_lit(paths[value] + '%')}" if value in paths else "1 = 0")
            elif kind == "unit":
                terms.append(f"p.path = {_lit(paths[value])}" if value in paths else "1 = 0")
            elif kind == "flag":
                terms.append(f"p.{value}")
            elif kind == "role":
                terms.append(f"EXISTS (SELECT 1 FROM user_role pr WHERE pr.user_id = p.uid AND pr.role = {_lit(value)})")
            elif kind == "user":
                terms.append(f"p.username = {_lit(value)}")
        return "(" + " OR ".join(terms) + ")" if terms else "1 = 0"

    if plans:
        plan_of = "CASE " + " ".join(f"WHEN {audience(_json(p.audience))} THEN {p.id}" for p in plans) + " END"
        need_total = "CASE p.plan_id " + " ".join(f"WHEN {p.id} THEN {float(p.required_hours) * 60!r}"
                                                   for p in plans) + " END"
        need_compulsory = "CASE p.plan_id " + " ".join(f"WHEN {p.id} THEN {float(p.compulsory_hours) * 60!r}"
                                                        for p in plans) + " END"
        with_practice = [str(p.id) for p in plans if p.count_practice]
        practice = (f"CASE WHEN p.plan_id IN ({', '.join(with_practice)}) THEN COALESCE(s.practice_records, 0) "
                    "+ COALESCE(pr.minutes, 0) ELSE 0 END") if with_practice else "0"
        completed = (f"x.uid IS NULL AND p.plan_id IS NOT NULL AND COALESCE(s.coursework, 0) + {practice} "
                     f">= {need_total} - 0.000001 AND COALESCE(s.compulsory, 0) >= {need_compulsory} - 0.000001")
    else:
        plan_of, completed = "NULL", "1 = 0"

    def excellent_from(bands) -> float:
        bands = [(label, float(low)) for label, low in (_json(bands) or [])]
        named = [low for label, low in bands if label == "优秀"]
        return named[0] if named else max((low for _label, low in bands), default=90.0)

    ids = ", ".join(str(e.id) for e in exams)
    if exams:
        rules = {"best": "MAX(score)", "first": "MAX(CASE WHEN first_rank = 1 THEN score END)",
                 "last": "MAX(CASE WHEN last_rank = 1 THEN score END)",
                 "average": "CAST(ROUND(CAST(AVG(score) AS NUMERIC(12, 4)), 2) AS FLOAT)"}
        counting = "CASE exam_id " + " ".join(f"WHEN {e.id} THEN {rules[e.counting]}" for e in exams) + " END"
        passed = " OR ".join(f"(exam_id = {e.id} AND score >= {float(e.pass_mark)!r})" for e in exams)
        excellent = " OR ".join(f"(exam_id = {e.id} AND score >= {excellent_from(e.bands)!r})" for e in exams)
        exam_ctes = f""",
graded AS (
    SELECT user_id AS uid, exam_id, COALESCE(score, 0) AS score,
           ROW_NUMBER() OVER (PARTITION BY user_id, exam_id ORDER BY number) AS first_rank,
           ROW_NUMBER() OVER (PARTITION BY user_id, exam_id ORDER BY number DESC) AS last_rank
    FROM attempt
    WHERE exam_id IN ({ids}) AND status = 'submitted' AND NOT pending_manual
),
counted AS (
    SELECT uid, exam_id, {counting} AS score FROM graded GROUP BY uid, exam_id
),
results AS (
    SELECT uid, MAX(CASE WHEN {passed} THEN 1 ELSE 0 END) AS passed,
           MAX(CASE WHEN {excellent} THEN 1 ELSE 0 END) AS excellent
    FROM counted GROUP BY uid
),
sitting AS (
    SELECT user_id AS uid FROM attempt WHERE exam_id IN ({ids}) AND status = 'submitted' GROUP BY user_id
)"""
        exam_joins = "LEFT JOIN sitting st ON st.uid = p.uid LEFT JOIN results r ON r.uid = p.uid"
        exam_sums = """SUM(CASE WHEN x.uid IS NULL AND st.uid IS NOT NULL THEN 1 ELSE 0 END) AS sat,
       SUM(CASE WHEN x.uid IS NULL AND r.passed = 1 THEN 1 ELSE 0 END) AS passed,
       SUM(CASE WHEN x.uid IS NULL AND r.excellent = 1 THEN 1 ELSE 0 END) AS excellent"""
    else:
        exam_ctes, exam_joins, exam_sums = "", "", "0 AS sat, 0 AS passed, 0 AS excellent"
    dated = f"c.type = 'ENFORCEMENT' AND c.issued_on <= {_lit(as_of)} AND c.expires_on >= {_lit(as_of)}"
    if as_of >= today:
        certified = f"SELECT DISTINCT c.holder_id AS uid FROM certificate c WHERE {dated} AND c.status = 'valid'"
    else:  # the last status event on or before the date decides; without one, the status as issued
        certified = f"""SELECT DISTINCT c.holder_id AS uid
    FROM certificate c
    LEFT JOIN (SELECT certificate_id, kind,
                      ROW_NUMBER() OVER (PARTITION BY certificate_id ORDER BY "on" DESC, at DESC, id DESC) AS newest
               FROM certificate_event
               WHERE kind IN ({_in(STATUS_EVENTS)}) AND "on" <= {_lit(as_of)}) e
           ON e.certificate_id = c.id AND e.newest = 1
    LEFT JOIN (SELECT DISTINCT certificate_id FROM certificate_event
               WHERE kind IN ({_in(STATUS_EVENTS)}) AND "on" > {_lit(as_of)}) later
           ON later.certificate_id = c.id
    WHERE {dated} AND CASE WHEN e.kind IS NULL
                           THEN c.status IN ('valid', 'expired', 'replaced') OR later.certificate_id IS NOT NULL
                           ELSE e.kind IN ({_in(LEAVES_VALID)}) END"""
    return f"""WITH staff AS (
    SELECT u.id AS uid, u.unit_id, o.path, u.username, u.is_enforcement, u.is_supervision, u.is_leader, u.on_post
    FROM "user" u JOIN org_unit o ON o.id = u.unit_id
    WHERE u.active AND u.on_post AND o.path LIKE {_lit(root_path + '%')}
      AND EXISTS (SELECT 1 FROM user_role ur WHERE ur.user_id = u.id AND ur.role = 'employee')
),
people AS (
    SELECT p.uid, p.unit_id, p.is_enforcement, {plan_of} AS plan_id FROM staff p
),
studied AS (
    SELECT user_id AS uid,
           SUM(CASE WHEN kind <> 'practice' AND category = 'required' THEN minutes ELSE 0 END) AS compulsory,
           SUM(CASE WHEN kind <> 'practice' THEN minutes ELSE 0 END) AS coursework,
           SUM(CASE WHEN kind = 'practice' THEN minutes ELSE 0 END) AS practice_records
    FROM study_record WHERE year = {int(year)} GROUP BY user_id
),
practice_days AS (
    SELECT user_id AS uid, CASE WHEN COUNT(*) > 30 THEN 30 ELSE COUNT(*) END AS minutes
    FROM practice_answer WHERE day >= {_lit(date(year, 1, 1))} AND day <= {_lit(date(year, 12, 31))}
    GROUP BY user_id, day
),
practiced AS (
    SELECT uid, SUM(minutes) AS minutes FROM practice_days GROUP BY uid
),
exempted AS (
    SELECT user_id AS uid FROM exemption WHERE year = {int(year)} AND status = 'approved' GROUP BY user_id
),
certified AS (
    {certified}
){exam_ctes}
SELECT p.unit_id,
       SUM(CASE WHEN x.uid IS NULL THEN 1 ELSE 0 END) AS expected,
       SUM(CASE WHEN x.uid IS NULL THEN 0 ELSE 1 END) AS exempt,
       SUM(CASE WHEN {completed} THEN 1 ELSE 0 END) AS study_completed,
       {exam_sums},
       SUM(CASE WHEN p.is_enforcement THEN 1 ELSE 0 END) AS enforcement_staff,
       SUM(CASE WHEN p.is_enforcement AND c.uid IS NOT NULL THEN 1 ELSE 0 END) AS valid_certificates
FROM people p
LEFT JOIN exempted x ON x.uid = p.uid
LEFT JOIN studied s ON s.uid = p.uid
LEFT JOIN practiced pr ON pr.uid = p.uid
LEFT JOIN certified c ON c.uid = p.uid
{exam_joins}
GROUP BY p.unit_id"""


def run_baseline(sql: str) -> dict[int, Counts]:
    return {row.unit_id: Counts(*(int(getattr(row, name) or 0) for name in COUNTS))
            for row in db.session.execute(text(sql))}


# -- measuring -------------------------------------------------------------------------------------------------

class StatementLog:
    """Every statement sent to the database while `on` is set."""

    def __init__(self, engine):
        self.on, self.statements = False, []
        event.listen(engine, "before_cursor_execute", self._record)

    def _record(self, conn, cursor, statement, parameters, context, executemany):
        if self.on and statement.strip().upper() not in ("BEGIN", "COMMIT", "ROLLBACK"):
            self.statements.append(statement)

    def count(self, fn) -> list[str]:
        self.statements, self.on = [], True
        try:
            fn()
        finally:
            self.on = False
        return self.statements


def fresh(fn):
    """Run fn in a new session, as a request would."""
    def call():
        db.session.remove()
        try:
            return fn()
        finally:
            db.session.remove()
    return call


def alternate(a, b, repeat: int) -> tuple[list[float], list[float]]:
    """Warm-up, then `repeat` rounds of a and b in turn (so drift hits both alike); seconds."""
    a(), b()
    ta, tb = [], []
    for _ in range(repeat):
        for fn, out in ((a, ta), (b, tb)):
            db.session.remove()
            start = time.perf_counter()
            fn()
            out.append(time.perf_counter() - start)
    db.session.remove()
    return ta, tb


def compare(service: dict[int, Counts], baseline: dict[int, Counts], label: str) -> None:
    if service == baseline:
        return
    lines = [f"B6 {label}: the raw SQL and the service disagree"]
    for unit in sorted(set(service) | set(baseline))[:200]:
        if service.get(unit) != baseline.get(unit):
            lines.append(f"  unit {unit}: service {service.get(unit)}\n  {' ' * len(str(unit))}       raw     "
                         f"{baseline.get(unit)}")
            if len(lines) > 12:
                break
    raise SystemExit("\n".join(lines))


def profile_service(year: int, root_id: int, now: datetime) -> str:
    """cProfile of one report: the top of the cumulative times."""
    profiler = cProfile.Profile()
    db.session.remove()
    profiler.enable()
    rates.live(year, db.session.get(OrgUnit, root_id), now)
    profiler.disable()
    db.session.remove()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(12)
    return out.getvalue()


def explain(sql_text: str, dialect: str) -> str:
    if dialect == "postgresql":
        rows = db.session.execute(text("EXPLAIN (ANALYZE, BUFFERS) " + sql_text)).scalars().all()
    else:
        rows = [" | ".join(str(c) for c in r) for r in db.session.execute(text("EXPLAIN QUERY PLAN " + sql_text))]
    db.session.remove()
    return "\n".join(rows)


def service_statement(year: int, root_id: int, now: datetime) -> str:
    """The service's GROUP BY statement with its constants inlined (for EXPLAIN)."""
    from sqlalchemy import func, select
    root = db.session.get(OrgUnit, root_id)
    facts = rates.facts(year, rates.report_date(year, now), local_today(now), root)
    stmt = select(facts.c.unit_id, *[func.sum(facts.c[n]).label(n) for n in COUNTS]).group_by(facts.c.unit_id)
    return str(stmt.compile(db.engine, compile_kwargs={"literal_binds": True}))


def measure_cases(cases, repeat: int, statements: StatementLog, log, actor) -> list[dict]:
    """For each case: check the figures against the raw SQL, count the statements, time both."""
    out = []
    for key, label, root_id, now, code in cases:
        as_of, today = rates.report_date(YEAR, now), local_today(now)
        root = db.session.get(OrgUnit, root_id)
        sql = baseline_sql(YEAR, as_of, today, root.path)
        own = rates.own_counts(rates.facts(YEAR, as_of, today, root))
        base = run_baseline(sql)
        compare(own, base, label)
        report = rates.live(YEAR, root, now) if code is None else rates.build(actor, YEAR, unit_code=code, now=now)
        if report.total != Counts.total(base.values()):
            raise SystemExit(f"B6 {label}: the report's total {report.total} is not the raw SQL's sum")
        total = report.total
        db.session.remove()
        if code is None:
            service = fresh(lambda root_id=root_id, now=now: rates.live(YEAR, db.session.get(OrgUnit, root_id), now))
        else:
            service = fresh(lambda code=code, now=now: rates.build(actor, YEAR, unit_code=code, now=now))
        raw = fresh(lambda sql=sql: run_baseline(sql))
        issued = statements.count(service)
        log(f"  {key}: figures agree ({len(base)} units): {total}; timing ×{repeat}")
        load = os.getloadavg()[0]
        ta, tb = alternate(service, raw, repeat)
        out.append(dict(key=key, label=label, service=ta, raw=tb, statements=issued, total=total, units=len(base),
                        sql=sql, root_id=root_id, now=now, load=(load, os.getloadavg()[0])))
        log(f"    service {statistics.median(ta) * 1000:.0f} ms, raw SQL {statistics.median(tb) * 1000:.0f} ms, "
            f"{len(issued)} statements")
    return out


def run(dialect: str, repeat: int, bureau: Bureau, log, keep: bool, pg_server: str, profile: bool) -> dict:
    tmp = tempfile.mkdtemp(prefix="bench_b6_")
    if dialect == "postgresql":
        url = fresh_pg(pg_server, PG_DATABASE)
    else:
        url = f"sqlite:///{tmp}/bench_b6.db"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": tmp, "SECRET_KEY": "bench"})
    result: dict = {"dialect": dialect}
    with app.app_context():
        log(f"{dialect}: building {url}")
        t = time.perf_counter()
        result["rows"] = build_database(dialect, url, bureau, log)
        result["load_seconds"] = time.perf_counter() - t
        result["version"] = db.session.execute(text("select sqlite_version()" if dialect == "sqlite"
                                                    else "show server_version")).scalar()
        db.session.remove()
        statements = StatementLog(db.engine)
        district = db.session.scalar(text("SELECT id FROM org_unit WHERE code = :c"), {"c": DISTRICT})
        actor = SystemActor(username="bench")
        cases = [("closed", "bureau (1 + 199 units), year closed: report date 31 Dec, certificates by their events",
                  1, NOW_CLOSED, None),
                 ("live", "bureau, during the year: report date today, certificates by status", 1, NOW_LIVE, None),
                 ("district", f"one district ({DISTRICT}, rates.build), year closed", district, NOW_CLOSED, DISTRICT)]
        result["cases"] = measure_cases(cases, repeat, statements, log, actor)
        if profile:
            result["profile"] = profile_service(YEAR, 1, NOW_CLOSED)
            result["explain_service"] = explain(service_statement(YEAR, 1, NOW_CLOSED), dialect)
            result["explain_raw"] = explain(result["cases"][0]["sql"], dialect)
        db.session.remove()
        db.engine.dispose()
    if dialect == "postgresql" and not keep:
        drop_pg(pg_server, PG_DATABASE)
    if keep and dialect == "sqlite":
        log(f"kept {tmp}/bench_b6.db")
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    return result


# -- the report -------------------------------------------------------------------------------------------------

def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f}"


def _table(results: list[dict], key: str) -> list[str]:
    lines = ["| database | report | expected | service, ms | raw SQL, ms | service ÷ raw | statements | load avg |",
             "|---|---|---|---|---|---|---|---|"]
    for r in results:
        for c in r.get(key, []):
            a, b = c["service"], c["raw"]
            lines.append(f"| {_name(r)} | {c['label']} | {c['total'].expected:,} | {ms(statistics.median(a))} "
                         f"({ms(min(a))}–{ms(max(a))}) | {ms(statistics.median(b))} ({ms(min(b))}–{ms(max(b))}) "
                         f"| {_ratio(c):.2f} | {len(c['statements'])} | {c['load'][0]:.1f}→{c['load'][1]:.1f} |")
    return lines


def _name(result: dict) -> str:
    return "SQLite" if result["dialect"] == "sqlite" else "PostgreSQL"


def _ratio(case: dict) -> float:
    return statistics.median(case["service"]) / statistics.median(case["raw"])


def _verdicts(results: list[dict], key: str) -> list[str]:
    lines = []
    for r in results:
        for c in r.get(key, []):
            ratio = _ratio(c)
            line = f"- {_name(r)}, {c['key']}: ≤ 1.5 × raw SQL — {ratio:.2f}, {'holds' if ratio <= 1.5 else 'MISSES'}"
            if r["dialect"] == "postgresql":
                seconds = statistics.median(c["service"])
                line += f"; ≤ 2 s — {seconds:.2f} s, {'holds' if seconds <= 2 else 'MISSES'}"
            lines.append(line)
    return lines


def section(results: list[dict], bureau: Bureau, repeat: int, started: datetime) -> str:
    rows = results[0]["rows"]
    by = {r["dialect"]: r for r in results}
    versions = " · ".join([f"Python {platform.python_version()}", f"SQLite {sqlite3.sqlite_version}"]
                          + ([f"PostgreSQL {by['postgresql']['version'].split()[0]}"] if "postgresql" in by else [])
                          + [f"SQLAlchemy {sqlalchemy.__version__}"])
    submitted = sum(1 for s in bureau.sittings if s[4] == "submitted")
    lines = [f"## B6 Rates report at scale — {started:%Y-%m-%d %H:%M}",
             "",
             "`bench/rates_report.py` (QUALITY B6: rates report over 50k staff, 200 units, 2.5M answers — "
             "≤ 1.5 × the same figures by one raw SQL GROUP BY; ≤ 2 s on PostgreSQL).",
             "",
             f"Machine: {machine()}  ",
             f"Versions: {versions}",
             "",
             f"Data (seeded, identical on both databases; schema by the migrations): {rows['org_unit']} units in "
             f"three levels, {bureau.staff:,} staff with the employee role ({len(bureau.enforcement):,} enforcement "
             f"staff) plus {rows['user'] - bureau.staff} accounts without it, {rows['study_plan']} study plans "
             f"({rows['study_plan'] - 1} for {YEAR}: everyone; enforcement staff; one district, counting practice), "
             f"{rows['study_record']:,} study records, {rows['practice_answer']:,} practice answers, "
             f"{rows['exemption']:,} exemption requests, {rows['certificate']:,} certificates with "
             f"{rows['certificate_event']:,} events, {rows['exam']} exams (2 count for {YEAR}: best of 3, pass 60; "
             f"last attempt, pass 70, 优秀 85), {rows['attempt']:,} attempts ({submitted:,} submitted) and "
             f"{rows['answer']:,} answers. SQLite is not ANALYZEd (the application never does); PostgreSQL is "
             "VACUUM ANALYZEd after the load (autovacuum would do it).",
             "",
             f"Each figure: median (min–max) of {repeat} runs after a warm-up, the service and the baseline in turn, "
             "each in a fresh session. Service: `rates.live` (bureau) or `rates.build` (district): the whole report "
             "(root unit, plans, exams, the facts GROUP BY, the unit tree, roll-up, classes, ranks). Baseline: one "
             "hand-written SQL statement (`baseline_sql` in the script) giving the same per-unit own-staff counts; "
             "before timing, the run checks that its figures equal `rates.own_counts(rates.facts(...))` per unit "
             "and the report's total. Statements: what one report sends to the database (`before_cursor_execute`). "
             "Load avg: the 1-minute load average before → after the timing (2 CPUs, shared with other work).",
             ""]
    lines += _table(results, "cases")
    lines += ["", "Targets:"] + _verdicts(results, "cases")
    first = results[0]["cases"][0]
    lines += ["", f"Statements of one bureau report ({len(first['statements'])}; none per person or per unit):", ""]
    lines += [f"{i}. {_summary(s)}" for i, s in enumerate(first["statements"], 1)]
    lines += ["", "Load: " + ", ".join(f"{_name(r)} {r['load_seconds']:.0f} s" for r in results) + " (migrations "
              "and rows)."]
    return "\n".join(lines) + "\n"


def _summary(statement: str) -> str:
    flat = re.sub(r"\s+", " ", statement).strip()
    tables = sorted(set(re.findall(r'(?:FROM|JOIN) "?(\w+)"?', flat)))
    head = flat[:60].replace("`", "'") + ("…" if len(flat) > 60 else "")
    return f"`{head}` ({len(flat):,} characters; tables: {', '.join(tables)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, default=FULL_STAFF)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG_SERVER", PG_SERVER),
                        help=f"PostgreSQL server URL; the database {PG_DATABASE} is dropped and created")
    parser.add_argument("--keep", action="store_true",
                        help=f"keep the PostgreSQL database {PG_DATABASE} and the SQLite file")
    parser.add_argument("--write", dest="write", action="store_true", default=None,
                        help="write the B6 section of docs/benchmarks.md (default: only at full size)")
    parser.add_argument("--no-write", dest="write", action="store_false")
    parser.add_argument("--profile", action="store_true", help="print cProfile and EXPLAIN of the bureau report")
    args = parser.parse_args()
    started = datetime.now()

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - t0:6.0f} s] {message}", flush=True)

    t0 = time.perf_counter()
    # the generator needs the models' defaults: an app context without a database connection
    with create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "bench"}).app_context():
        bureau = Bureau(args.staff)
    log(f"generated {args.staff:,} staff, {len(bureau.sittings):,} attempts")
    dialects = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    results = [run(d, args.repeat, bureau, log, args.keep, args.pg, args.profile) for d in dialects]
    body = section(results, bureau, args.repeat, started)
    print("\n" + body)
    if args.profile:
        for r in results:
            print(f"--- {r['dialect']}: cProfile of one bureau report\n{r['profile']}")
            print(f"--- {r['dialect']}: plan of the service's facts GROUP BY\n{r['explain_service']}\n")
            print(f"--- {r['dialect']}: plan of the raw SQL\n{r['explain_raw']}\n")
    if args.write if args.write is not None else args.staff >= FULL_STAFF:
        write_section("B6", body, "rates_report.py")
        print("written: docs/benchmarks.md (section B6)")


if __name__ == "__main__":
    main()
