"""The rates report against an independent computation over the hand-built bureau of tests/rates_bureau.py:
exemptions, retakes, make-ups, a pending hand grading, two annual exams with different counting rules, exams
that must not count, a move between units, inactive and off-post people, certificates in every state."""
import hashlib
from datetime import date, datetime

import pytest

from examapp.domain.audit_chain import canonical_json
from examapp.extensions import db
from examapp.models import Certificate, CertificateEvent, Exam
from examapp.services import rate_people, rates
from tests.conftest import NOW, make_user
from tests.rates_bureau import AS_OF, PEOPLE, YEAR, expected_facts, expected_rows, with_rates


def _report(bureau, unit="X"):
    return rates.build(bureau["admin"], YEAR, unit_code=unit, now=NOW)


def test_figures_match_an_independent_computation(bureau):
    report = _report(bureau)
    got = {("X" if r.own_staff else r.unit.code): r.as_json() for r in report.rows}
    want = expected_rows()
    assert set(got) == set(want)
    for code, counts in want.items():
        row = {k: v for k, v in got[code].items() if k not in ("unit", "name", "own_staff")}
        assert row == with_rates(counts), code
    total = with_rates({k: sum(c[k] for c in want.values()) for k in want["X"]})
    data = report.as_json()
    assert data["total"] == total
    assert data["as_of"] == AS_OF.isoformat() and data["unit"] == "X" and data["year"] == YEAR
    assert data["digest"] == hashlib.sha256(canonical_json({"rows": data["rows"], "total": data["total"]}).encode()
                                            ).hexdigest()
    # a few figures spelled out, so a reader sees what the table above means
    assert total["expected"] == 25 and total["exempt"] == 3
    assert got["X"]["own_staff"] is True and got["X"]["name"] == "测试局（本级）"


def test_a_subtree_report_has_its_children_and_own_staff(bureau):
    report = _report(bureau, "D2")
    got = {("D2" if r.own_staff else r.unit.code): r.counts for r in report.rows}
    assert set(got) == {"D21", "D2"}
    d2 = {p.username for p in PEOPLE if (p.moved_to or p.unit) == "D2" and expected_facts(p)}
    assert got["D2"].expected + got["D2"].exempt == len(d2)
    assert report.total.expected == expected_rows()["D2"]["expected"]


@pytest.mark.parametrize("figure", ["expected", "exempt", "study_completed", "sat", "passed", "excellent",
                                    "enforcement_staff", "valid_certificates"])
def test_every_figure_lists_the_people_behind_it_and_its_gap(bureau, figure):
    x = bureau["units"]["X"]
    facts = {p.username: expected_facts(p) for p in PEOPLE if expected_facts(p)}
    _u, spec, page, rows = rate_people.people(bureau["admin"], YEAR, x.id, figure, now=NOW, per_page=100)
    assert {r.user.username for r in rows} == {u for u, f in facts.items() if f[figure]}
    assert page.total == len(rows)
    if spec.base:
        _u, _s, _page, gap = rate_people.people(bureau["admin"], YEAR, x.id, figure, gap=True, now=NOW, per_page=100)
        assert {r.user.username for r in gap} == {u for u, f in facts.items() if f[spec.base] and not f[figure]}


def test_reasons_name_the_exemption_and_its_approver_the_failure_and_the_hours(bureau):
    x = bureau["units"]["X"]
    _u, _s, _p, rows = rate_people.people(bureau["admin"], YEAR, x.id, "exempt", now=NOW, per_page=100)
    by = {r.user.username: r.reasons for r in rows}
    assert by["a4"] == ["免考：重病（副管理员 批准）"]
    _u, _s, _p, rows = rate_people.people(bureau["admin"], YEAR, x.id, "passed", gap=True, now=NOW, per_page=100)
    by = {r.user.username: r.reasons for r in rows}
    assert "未合格（58 分）" in by["a2"]
    assert by["a6"][-1] == "待阅卷"
    _u, _s, _p, rows = rate_people.people(bureau["admin"], YEAR, x.id, "study_completed", gap=True, now=NOW,
                                          per_page=100)
    by = {r.user.username: r.reasons for r in rows}
    assert "学时不足 15.0/20.0" in by["b3"]


def test_remediation_lists_who_must_do_what_by_when(bureau):
    x = bureau["units"]["X"]
    _u, page, rows = rate_people.remediation(bureau["admin"], YEAR, x.id, now=NOW)
    by = {r.user.username: r.actions for r in rows}
    assert "r1" not in by and "a4" not in by              # done everything; exempt
    assert ("补足学时 5.0 小时", datetime(YEAR, 12, 1)) in by["b3"]
    exam_close = bureau["exams"]["main"].closes_at         # NOW is inside the main exam's window
    assert ("参加年度考试", exam_close) in by["c2"]
    assert ("取得有效行政执法证，取得前不得从事执法", None) in by["b9"]
    assert page.total == len(rows)


def test_a_unit_admin_or_auditor_reports_only_on_their_subtree(bureau):
    d2 = bureau["units"]["D2"]
    auditor = make_user("aud2", d2, "auditor", name="审计")
    report = rates.build(auditor, YEAR, now=NOW)
    assert report.root.code == "D2"
    with pytest.raises(Exception):       # noqa: B017 - NotFound: X is outside the auditor's scope
        rates.build(auditor, YEAR, unit_code="X", now=NOW)
    with pytest.raises(Exception):       # noqa: B017
        rate_people.people(auditor, YEAR, bureau["units"]["D1"].id, "sat", now=NOW)


def test_a_past_year_counts_certificates_valid_on_31_december(bureau):
    """On 2025-12-31 the suspended certificate was still valid when its suspension is dated 2026."""
    user = bureau["people"]["a3"]
    certificate = db.session.scalar(db.select(Certificate).where(Certificate.holder_id == user.id))
    db.session.add(CertificateEvent(certificate_id=certificate.id, kind="suspend", on=date(2026, 2, 1), reason="x",
                                    at=datetime(2026, 2, 1, 2, 0)))
    db.session.commit()
    last_year = rates.build(bureau["admin"], YEAR - 1, now=NOW)
    assert last_year.as_of == date(YEAR - 1, 12, 31)
    _u, _s, _p, rows = rate_people.people(bureau["admin"], YEAR - 1, bureau["units"]["X"].id, "valid_certificates",
                                          now=NOW, per_page=100)
    holders = {r.user.username for r in rows}
    assert "a3" in holders                       # suspended only in 2026
    assert "b8" not in holders                   # issued in 2026
    assert "r2" in holders and "a11" not in holders     # valid; expired in 2025


def test_exams_that_are_not_this_years_published_annual_ones_do_not_count(bureau):
    """a7 sat last year's exam and a mock; a8 a draft one: neither sat this year."""
    _u, _s, _p, rows = rate_people.people(bureau["admin"], YEAR, bureau["units"]["X"].id, "sat", gap=True, now=NOW,
                                          per_page=100)
    absent = {r.user.username: r.reasons for r in rows}
    assert "未参加年度考试" in absent["a7"] and "未参加年度考试" in absent["a8"]
    assert db.session.scalar(db.select(Exam.status).where(Exam.title == "draft")) == "draft"
