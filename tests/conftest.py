"""Fixtures: an app on SQLite (a file per test) or on PostgreSQL when TEST_DATABASE_URL is set."""
import os
import re
from datetime import datetime
from pathlib import Path

import pytest
from flask.ctx import _cv_app
from flask.testing import FlaskClient
from sqlalchemy import create_engine, select, text

os.environ["EXAMAPP_CONFIG"] = "testing"

from examapp import create_app  # noqa: E402
from examapp.domain.audit_chain import GENESIS  # noqa: E402
from examapp.extensions import db  # noqa: E402
from examapp.models import AuditHead, Law, OrgUnit, User, UserRole  # noqa: E402
from examapp.services import org  # noqa: E402
from examapp.services.passwords import hash_password  # noqa: E402

PG_URL = os.environ.get("TEST_DATABASE_URL", "")
if PG_URL and os.environ.get("PYTEST_XDIST_WORKER"):
    # parallel workers each get their own database: every test empties the tables it used
    PG_URL = f"{PG_URL}_{os.environ['PYTEST_XDIST_WORKER']}"
LAWS_DIR = Path(os.environ.get("EXAMAPP_LAWS_DIR", Path(__file__).resolve().parents[2] / "shared" / "laws"))
BANK_DIR = Path(__file__).resolve().parents[1] / "question_bank"
PASSWORD = "Test-pass-2026"
NOW = datetime(2026, 3, 15, 2, 0, 0)  # 10:00 in the bureau's time zone

ROLES = ("employee", "unit_admin", "admin", "auditor")


def pytest_report_header(config):
    return f"database: {'PostgreSQL ' + re.sub(r'//[^@]*@', '//', PG_URL) if PG_URL else 'SQLite'}"


@pytest.fixture(scope="session")
def _pg_schema():
    """On PostgreSQL the schema is built once; each test then empties the tables."""
    if not PG_URL:
        yield None
        return
    name = PG_URL.rsplit("/", 1)[1]
    admin = create_engine(os.environ["TEST_DATABASE_URL"], isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    app = create_app({"SQLALCHEMY_DATABASE_URI": PG_URL, "SECRET_KEY": "x"})
    with app.app_context():
        db.drop_all()
        db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
        db.create_all()
        db.session.commit()
    yield PG_URL


class IsolatedClient(FlaskClient):
    """Each request runs in its own app context, as in production: a fresh `g` (no cached
    current_user) and a fresh database session. The test's own session is committed before the
    request, so what the test set up is visible, and after it, so the test sees what the request did."""

    def open(self, *args, **kwargs):
        kwargs.setdefault("buffered", True)  # streamed bodies finish inside this request's context
        db.session.commit()
        token = _cv_app.set(None)
        try:
            return super().open(*args, **kwargs)
        finally:
            _cv_app.reset(token)
            db.session.commit()


@pytest.fixture
def app(tmp_path, _pg_schema):
    url = _pg_schema or f"sqlite:///{tmp_path}/test.db"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "test-secret", "INSTANCE_PATH": str(tmp_path),
                      "SERVER_NAME": None})
    app.test_client_class = IsolatedClient
    with app.app_context():
        if _pg_schema:
            names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
            db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            db.create_all()
        db.session.add(AuditHead(id=1, seq=0, hash=GENESIS))
        db.session.commit()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# -- factories ------------------------------------------------------------------------------------

def make_unit(code: str, name: str | None = None, parent: OrgUnit | None = None, kind: str = "department"):
    unit = org.add_unit(code=code, name=name or code, kind=kind, parent=parent)
    db.session.commit()
    return unit


def make_user(username: str, unit: OrgUnit, *roles: str, password: str = PASSWORD, scope: OrgUnit | None = None,
              must_change: bool = False, **fields):
    user = User(username=username, name=fields.pop("name", username.title()), unit=unit,
                password_hash=hash_password(password), must_change_password=must_change, **fields)
    for role in roles or ("employee",):
        scoped = role in ("unit_admin", "auditor")
        user.roles.append(UserRole(role=role, scope_unit=(scope or unit) if scoped else None))
    db.session.add(user)
    db.session.commit()
    return user


class World:
    """A small bureau: root R with departments A (A1, A2 below it) and B; one account per role.

    unit_admin and the scoped auditor see A's subtree; `auditor` sees everything from R down.
    """

    def __init__(self):
        self.root = make_unit("R", "市局", kind="bureau")
        self.a = make_unit("A", "甲区局", self.root, kind="district")
        self.a1 = make_unit("A1", "甲区综合股", self.a)
        self.a2 = make_unit("A2", "甲区工业股", self.a)
        self.b = make_unit("B", "乙区局", self.root, kind="district")
        self.admin = make_user("admin", self.root, "admin", "employee", name="管理员")
        self.unit_admin = make_user("unitadmin", self.a, "unit_admin", "employee", name="甲管理员")
        self.auditor = make_user("auditor", self.root, "auditor", scope=self.root, name="审计员")
        self.a_auditor = make_user("aauditor", self.a, "auditor", name="甲审计员")
        self.employee = make_user("employee", self.a1, "employee", name="张三", is_enforcement=True)
        self.victim = make_user("victim", self.a2, "employee", name="李四")
        self.b_person = make_user("bperson", self.b, "employee", name="王五")
        self.by_role = {"admin": self.admin, "unit_admin": self.unit_admin, "auditor": self.auditor,
                        "employee": self.employee}


@pytest.fixture
def world(app):
    return World()


def login(client, username: str, password: str = PASSWORD, **extra):
    return client.post("/login", data={"username": username, "password": password, **extra})


@pytest.fixture
def login_as(app, world):
    """login_as(role) → a test client logged in as that role's account."""

    def _login(role: str):
        c = app.test_client()
        user = world.by_role[role] if role in world.by_role else role
        r = login(c, user.username)
        assert r.status_code == 302, r.get_data(as_text=True)[:500]
        return c

    return _login


SMALL_LAW = ("测试法\n\n2026年1月1日 通过\n\n第一章 总则\n\n第一条 为了测试，制定本法。\n"
             "第二条 期限为三十日。\n前款期限自收到之日起计算。\n第二章 附则\n第三条 本法自公布之日起施行。\n")
SMALL_BANK = """law: test_law
title: 测试法
questions:
  - id: tst-0001
    type: single
    difficulty: 1
    stem: 期限为（  ）。
    options: [十日, 十五日, 三十日, 六十日]
    answer: C
    articles: [2]
    explanation: 第二条规定期限为三十日。
    tags: [第一章 总则]
  - id: tst-0002
    type: judge
    difficulty: 1
    stem: 本法自公布之日起施行。
    answer: true
    articles: [3]
    explanation: 第三条规定本法自公布之日起施行。
    tags: [第二章 附则]
  - id: tst-0003
    type: multiple
    difficulty: 2
    stem: 关于本法，下列说法正确的有（  ）。
    options: [为了测试而制定, 期限为三十日, 期限为十日, 自公布之日起施行]
    answer: ABD
    articles: [1, 2, 3]
    explanation: 第一条至第三条。
  - id: tst-0004
    type: fill
    difficulty: 1
    stem: 期限为____。
    answer: [[三十日, 30日]]
    articles: [2]
    explanation: 第二条。
"""


@pytest.fixture
def small_law(app):
    """A three-article law (test_law) with four questions."""
    from examapp.services import bank, laws
    laws.import_law("tester", "test_law.md", SMALL_LAW.encode(), now=NOW)
    result = bank.import_bank_file("tester", "test_law.yaml", SMALL_BANK.encode(), now=NOW)
    assert result.ok, result.errors
    return db.session.scalar(select(Law).where(Law.code == "test_law"))


def make_exam(rules: list, *, audience=(("unit_tree", "A"),), opens_at=None, closes_at=None, duration=30, publisher=None,
              **settings):
    """A published exam drawing `rules` ([law, type, difficulty, count, points], …) for `audience`."""
    from datetime import timedelta

    from examapp.models import Exam, ExamAudience, ExamPaper
    from examapp.services import exams
    from examapp.services.actors import SystemActor
    opens_at = opens_at or NOW
    exam = Exam(title=settings.pop("title", "年度普法考试"), kind=settings.pop("kind", "annual"), year=opens_at.year,
                opens_at=opens_at, closes_at=closes_at or opens_at + timedelta(days=7), duration_minutes=duration,
                **settings)
    db.session.add(exam)
    db.session.flush()
    paper = ExamPaper(exam_id=exam.id, version=1, mode="rules", rules=[list(r) for r in rules])
    db.session.add(paper)
    db.session.flush()
    exam.current_paper_id = paper.id
    db.session.add_all(ExamAudience(exam_id=exam.id, kind=k, value=v) for k, v in audience)
    db.session.commit()
    exams.publish(publisher or SystemActor(), exam.id, now=opens_at)
    return db.session.get(Exam, exam.id)


# -- exams with a free-text case item, and a judge + single paper (hand grading, regrade) --------

CASE_BANK = """law: test_law
title: 测试法
questions:
  - id: tst-0101
    type: case
    difficulty: 2
    stem: 某单位收到申请后四十日才作出答复。
    items:
      - type: single
        stem: 法定期限为（  ）。
        options: [十日, 十五日, 三十日]
        answer: C
        articles: [2]
      - type: text
        stem: 请分析该单位的做法是否合法。
        reference: 不合法。第二条规定期限为三十日，自收到之日起计算，四十日已超过期限。
        articles: [2]
    articles: [2]
    explanation: 第二条。
"""


@pytest.fixture
def case_law(small_law):
    from examapp.services import bank
    result = bank.import_bank_file("tester", "test_law_case.yaml", CASE_BANK.encode(), now=NOW)
    assert result.ok, result.errors
    return small_law


@pytest.fixture
def graders(world):
    return [world.admin, make_user("admin2", world.root, "admin", name="二号管理员"),
            make_user("admin3", world.root, "admin", name="三号管理员")]


def take_case(user, exam, text, *, now=NOW):
    """Start, answer (the choice item right, the free item with `text`) and submit the case exam."""
    import random
    from datetime import timedelta

    from examapp.domain.paper import shown_question
    from examapp.models import QuestionVersion
    from examapp.services import exams
    from examapp.services.practice import as_question
    attempt, _ = exams.start_attempt(user, exam.id, now=now, rng=random.Random(1))
    v = db.session.get(QuestionVersion, attempt.slots[0]["v"])
    shown = shown_question(as_question(v), tuple(attempt.slots[0]["o"]))
    exams.save_answer(user, attempt.id, v.question_id, [shown["items"][0]["answer"], text], 1, now=now)
    return exams.submit(user, attempt.id, now=now + timedelta(minutes=5)).attempt


@pytest.fixture
def case_exam(world, case_law):
    return make_exam([["test_law", "case", None, 1, 100]], arbitration_percent=20)


@pytest.fixture
def judge_exam(world, small_law):
    return make_exam([["test_law", "judge", None, 1, 60], ["test_law", "single", None, 1, 40]],
                     shuffle_questions=False, attempts_allowed=1)


def paper_answers(user, exam, *, judge, single_right):
    """Take the judge + single exam with the given judge answer and the single one right or wrong."""
    import random
    from datetime import timedelta

    from examapp.domain.paper import shown_question
    from examapp.models import QuestionVersion
    from examapp.services import exams
    from examapp.services.practice import as_question
    attempt, _ = exams.start_attempt(user, exam.id, now=NOW, rng=random.Random(2))
    for index, slot in enumerate(attempt.slots):
        v = db.session.get(QuestionVersion, slot["v"])
        shown = shown_question(as_question(v), tuple(slot["o"]))
        if v.type == "judge":
            response = judge
        else:
            wrong = next(c for c in "ABCD"[:len(shown["options"])] if c != shown["answer"])
            response = shown["answer"] if single_right else wrong
        exams.save_answer(user, attempt.id, v.question_id, response, index + 1, now=NOW)
    return exams.submit(user, attempt.id, now=NOW + timedelta(minutes=1)).attempt


def judge_version(exam):
    from examapp.services import regrade
    return next(q.version for q in regrade.used_questions(exam) if q.version.type == "judge")
