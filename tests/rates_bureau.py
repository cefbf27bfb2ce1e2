"""A hand-built bureau of about 30 people for the rates report's tests:
exemptions (approved, pending, rejected), retakes, make-ups, a pending hand grading, two annual exams
with different counting rules, exams that must not count, a move between units, inactive and off-post
people, and certificates in every state.

The expected figures are computed here in plain Python from the table below, by DESIGN §2's definitions,
never through the service."""
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pytest

from examapp.extensions import db
from examapp.models import Attempt, Exemption, StudyPlan, StudyRecord
from tests.certificate_factory import make_certificate
from tests.conftest import NOW, make_exam, make_unit, make_user

YEAR = NOW.year
AS_OF = date(2026, 3, 15)          # NOW in the bureau's time zone


@dataclass
class P:
    username: str
    unit: str
    hours: tuple[float, float] = (0, 0)          # (必修, 选修) hours credited this year
    attempts: list = field(default_factory=list)  # (exam key, score | None for pending, makeup)
    enforcement: bool = False
    cert: str | None = None                       # the certificate's situation on the report date
    exemption: str | None = None                  # approved | pending | rejected
    active: bool = True
    on_post: bool = True
    moved_to: str | None = None                   # moved after sitting: counts in the new unit


# main: counting best, pass 60 · second: counting last, pass 70 · old: last year · mock: not annual · draft
PEOPLE = [
    P("r1", "X", (6, 5), [("main", 95, False)]),
    P("r2", "X", (2, 2), [("main", 55, False), ("main", 72, False)], enforcement=True, cert="valid"),
    P("a1", "D1", (10, 0), [("main", 90, False)], enforcement=True, cert="valid_past_date"),
    P("a2", "D1", (8, 3), [("main", 40, False), ("main", 58, True)]),                   # make-up, still failed
    P("a3", "D1", (9, 2), [("main", 30, False), ("main", 61, True)], enforcement=True, cert="suspended"),
    P("a4", "D1", (0, 0), [], exemption="approved"),
    P("a5", "D1", (3, 0), [], exemption="pending", enforcement=True, cert="revoked"),
    P("a6", "D1", (5, 6), [("main", None, False)]),                                     # waits for hand grading
    P("a7", "D1", (12, 0), [("old", 99, False), ("mock", 100, False)]),                 # nothing that counts
    P("a8", "D1", (5, 5), [("draft", 80, False)], exemption="rejected"),
    P("a9", "D1", (20, 0), [("main", 100, False)], active=False),
    P("a10", "D1", (20, 0), [("main", 100, False)], on_post=False, enforcement=True, cert="valid"),
    P("a11", "D1", (5, 4.9), [("main", 89.5, False)], enforcement=True, cert="expired"),
    P("a12", "D1", (5, 5), [("main", 60, False)], enforcement=True, cert="replaced_and_renewed"),
    P("m1", "D1", (5, 5), [("main", 66, False)], moved_to="D21"),
    P("b1", "D2", (20, 0), [("second", 75, False), ("second", 65, False)]),             # last counts: 65 < 70
    P("b2", "D2", (15, 5), [("second", 65, False), ("second", 71, False)], enforcement=True, cert="lost"),
    P("b3", "D2", (10, 5), [("second", 92, False)]),                                    # 15 h < D2's 20 h
    P("b4", "D2", (19, 1), [("main", 59.5, False), ("second", 70, False)], enforcement=True, cert="cancelled"),
    P("b5", "D2", (0, 0), [], exemption="approved", enforcement=True, cert="valid"),
    P("b6", "D21", (30, 0), [("main", 88, False), ("main", 91, False), ("main", 70, False)]),
    P("b7", "D21", (4, 16), [("main", 20, False)], enforcement=True, cert="recalled"),
    P("b8", "D21", (25, 0), [], enforcement=True, cert="issued_later"),
    P("b9", "D21", (25, 0), [("main", 0, False)], enforcement=True, cert="none"),
    P("b10", "D21", (0, 0), [("main", 100, True)]),
    P("c1", "D3", (10, 0), [("main", 60, False)]),
    P("c2", "D3", (10, 0), []),
    P("c3", "D3", (1, 0), [("main", 99, False), ("main", None, False)]),               # one graded, one pending
    P("c4", "D3", (0, 0), [], exemption="approved"),
    P("c5", "D3", (9.99, 0), [("main", 89.99, False)]),
]

EXAMS = {"main": ("best", 60, YEAR, "annual", True), "second": ("last", 70, YEAR, "annual", True),
         "old": ("best", 60, YEAR - 1, "annual", True), "mock": ("best", 60, YEAR, "mock", True),
         "draft": ("best", 60, YEAR, "annual", False)}
PLANS = {"base": (10, 5), "D2": (20, 10)}        # required, of which 必修 (hours); D2's applies to D2 and D21


# -- the independent computation --------------------------------------------------------------------

def _counted(p: P, key: str) -> float | None:
    counting = EXAMS[key][0]
    scores = [s for k, s, _m in p.attempts if k == key and s is not None]
    if not scores:
        return None
    return max(scores) if counting == "best" else scores[-1]


def _cert_valid(p: P) -> bool:
    return p.cert in ("valid", "replaced_and_renewed")


def expected_facts(p: P) -> dict | None:
    if not (p.active and p.on_post):
        return None
    exempt = p.exemption == "approved"
    required, compulsory = PLANS["D2" if (p.moved_to or p.unit) in ("D2", "D21") else "base"]
    done = p.hours[0] + p.hours[1] >= required - 1e-9 and p.hours[0] >= compulsory - 1e-9
    counting = [k for k, (_c, _m, y, kind, published) in EXAMS.items() if y == YEAR and kind == "annual" and published]
    sat = any(k in counting for k, _s, _m in p.attempts)
    scores = {k: _counted(p, k) for k in counting}
    passed = any(s is not None and s >= EXAMS[k][1] for k, s in scores.items())
    excellent = any(s is not None and s >= 90 for s in scores.values())
    c = not exempt
    return {"expected": int(c), "exempt": int(exempt), "study_completed": int(c and done), "sat": int(c and sat),
            "passed": int(c and passed), "excellent": int(c and excellent), "enforcement_staff": int(p.enforcement),
            "valid_certificates": int(p.enforcement and _cert_valid(p))}


def expected_rows() -> dict[str, dict]:
    """Rows of the report on X: its children's subtrees and X's own staff."""
    groups = {"D1": ("D1",), "D2": ("D2", "D21"), "D3": ("D3",), "X": ("X",)}
    out = {}
    for row, units in groups.items():
        counts = dict.fromkeys(("expected", "exempt", "study_completed", "sat", "passed", "excellent",
                                "enforcement_staff", "valid_certificates"), 0)
        for p in PEOPLE:
            facts = expected_facts(p)
            if facts and (p.moved_to or p.unit) in units:
                for k, v in facts.items():
                    counts[k] += v
        out[row] = counts
    return out


def _rate(n, d):
    return round(n / d, 4) if d else None


def with_rates(c: dict) -> dict:
    return {**c, "study_completion_rate": _rate(c["study_completed"], c["expected"]),
            "participation_rate": _rate(c["sat"], c["expected"]), "pass_rate": _rate(c["passed"], c["sat"]),
            "pass_rate_of_expected": _rate(c["passed"], c["expected"]),
            "excellence_rate": _rate(c["excellent"], c["sat"]),
            "certificate_rate": _rate(c["valid_certificates"], c["enforcement_staff"])}


# -- building the bureau ----------------------------------------------------------------------------

def _certificate(user, situation: str, n: int) -> None:
    number = f"ZF-T-{n:04d}"
    if situation == "none":
        return
    if situation == "valid":
        make_certificate(user, number)
    elif situation == "valid_past_date":            # still marked valid, but its date has passed
        make_certificate(user, number, issued_on=date(2020, 1, 1), expires_on=date(2026, 3, 14))
    elif situation == "expired":
        make_certificate(user, number, status="expired", issued_on=date(2020, 1, 1), expires_on=date(2025, 1, 1))
    elif situation == "replaced_and_renewed":
        make_certificate(user, number, status="replaced", issued_on=date(2021, 1, 1), expires_on=date(2026, 1, 1))
        make_certificate(user, number + "R", issued_on=date(2025, 12, 20), expires_on=date(2030, 12, 20))
    elif situation == "issued_later":
        make_certificate(user, number, issued_on=date(2026, 4, 1), expires_on=date(2031, 4, 1))
    else:
        make_certificate(user, number, status=situation)


@pytest.fixture
def bureau(app, small_law):
    x = make_unit("X", "测试局", kind="bureau")
    units = {"X": x, "D1": make_unit("D1", "一处", x), "D2": make_unit("D2", "二区局", x), "D3": make_unit("D3", "三处", x)}
    units["D21"] = make_unit("D21", "二区执法股", units["D2"])
    admin = make_user("boss", x, "admin", name="管理员")            # not a learner: no employee role
    admin2 = make_user("boss2", x, "admin", name="副管理员")
    exams = {}
    for key, (counting, mark, year, kind, published) in EXAMS.items():
        opens = datetime(year, 3, 1, 1, 0)
        exam = make_exam([["test_law", "judge", 1, 1, 100]], audience=(("unit_tree", "X"),), opens_at=opens,
                         closes_at=opens + timedelta(days=20), counting=counting, pass_mark=mark, kind=kind,
                         title=key, makeup_opens_at=opens + timedelta(days=21),
                         makeup_closes_at=opens + timedelta(days=25))
        if not published:
            exam.status = "draft"
        exams[key] = exam
    db.session.add_all([StudyPlan(year=YEAR, title="全员", required_hours=PLANS["base"][0],
                                  compulsory_hours=PLANS["base"][1], deadline=datetime(YEAR, 12, 1), audience=[],
                                  created_at=datetime(YEAR, 1, 1)),
                        StudyPlan(year=YEAR, title="二区", required_hours=PLANS["D2"][0],
                                  compulsory_hours=PLANS["D2"][1], deadline=datetime(YEAR, 12, 1),
                                  audience=[["unit_tree", "D2"]], created_at=datetime(YEAR, 1, 2))])
    people = {}
    for n, p in enumerate(PEOPLE, 1):
        user = make_user(p.username, units[p.unit], "employee", name=f"人员{p.username}", is_enforcement=p.enforcement,
                         active=p.active, on_post=p.on_post, position="科员")
        people[p.username] = user
        for category, hours in zip(("required", "elective"), p.hours, strict=True):
            if hours:
                db.session.add(StudyRecord(user_id=user.id, year=YEAR, kind="online", category=category,
                                           minutes=hours * 60, source="heartbeat", recorded_at=NOW))
        numbers: dict[str, int] = {}
        for key, score, makeup in p.attempts:
            exam = exams[key]
            numbers[key] = numbers.get(key, 0) + 1
            start = exam.opens_at + timedelta(hours=numbers[key])
            db.session.add(Attempt(exam_id=exam.id, user_id=user.id, paper_id=exam.current_paper_id, number=numbers[key],
                                   makeup=makeup, status="submitted", started_at=start, deadline=start + timedelta(hours=1),
                                   submitted_at=start + timedelta(minutes=30), slots=[], score=score,
                                   passed=None if score is None else score >= exam.pass_mark,
                                   pending_manual=score is None))
        if p.exemption:
            db.session.add(Exemption(user_id=user.id, year=YEAR, reason_kind="illness", reason="住院",
                                     status=p.exemption, requested_by=admin.id, requested_at=NOW,
                                     decided_by=admin2.id if p.exemption != "pending" else None))
        if p.cert:
            _certificate(user, p.cert, n)
        if p.moved_to:
            user.unit_id = units[p.moved_to].id
    db.session.commit()
    return {"units": units, "admin": admin, "admin2": admin2, "people": people, "exams": exams}


