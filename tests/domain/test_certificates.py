from datetime import date

import pytest

from examapp.domain import certificates as c
from examapp.domain.certificates import Facts, Rule

ALL_STATUSES = ("valid", "expired", "suspended", "revoked", "recalled", "cancelled", "lost", "replaced")

# (transition, statuses it may start from)
ALLOWED = {
    "review": {"valid"},
    "renew": {"valid", "expired"},
    "suspend": {"valid"},
    "reinstate": {"suspended"},
    "revoke": {"valid", "suspended"},
    "recall": {"valid", "suspended"},
    "cancel": {"valid", "suspended", "expired", "recalled", "lost"},
    "lose": {"valid"},
    "reissue": {"lost"},
    "expire": {"valid"},
}
TARGET = {"review": "valid", "renew": "replaced", "suspend": "suspended", "reinstate": "valid", "revoke": "revoked",
          "recall": "recalled", "cancel": "cancelled", "lose": "lost", "reissue": "lost", "expire": "expired"}


@pytest.mark.parametrize("kind", sorted(ALLOWED))
@pytest.mark.parametrize("status", ALL_STATUSES)
def test_every_transition_allowed_or_refused_naming_the_status(kind, status):
    if status in ALLOWED[kind]:
        t = c.check_transition(kind, status)
        assert t.target == TARGET[kind]
    else:
        with pytest.raises(c.TransitionRefused) as e:
            c.check_transition(kind, status)
        assert f"「{c.STATUS_LABELS[status]}」" in e.value.message
        assert c.TRANSITIONS[kind].label in e.value.message


def test_final_statuses_lead_nowhere_and_only_revoke_needs_four_eyes():
    for status in c.FINAL:
        assert c.allowed(status, include_system=True) == []
    assert [t.kind for t in c.TRANSITIONS.values() if t.four_eyes] == ["revoke"]
    assert {t.kind for t in c.allowed("valid")} == {"review", "renew", "suspend", "revoke", "recall", "cancel", "lose"}
    assert "expire" not in {t.kind for t in c.allowed("valid")}       # by date only


def test_issue_cannot_be_applied_to_an_existing_certificate():
    with pytest.raises(c.TransitionRefused):
        c.check_transition("issue", "valid")


def test_a_lost_certificate_is_reissued_once():
    assert c.refusal("reissue", "lost") is None
    assert "不能再次补发" in c.refusal("reissue", "lost", has_successor=True)
    assert c.refusal("fly", "valid") == "未知的证件操作 fly"


def test_expiring_and_effective_status():
    today = date(2026, 3, 15)
    assert c.expiring(date(2026, 9, 15), today, 6)
    assert not c.expiring(date(2026, 9, 16), today, 6)
    assert c.expiring(today, today, 6)                      # the last valid day
    assert not c.expiring(date(2026, 3, 14), today, 6)       # already expired
    assert c.effective_status("valid", date(2026, 3, 14), today) == "expired"
    assert c.effective_status("valid", date(2026, 4, 1), today, 6) == "expiring"
    assert c.effective_status("valid", date(2029, 4, 1), today, 6) == "valid"
    assert c.effective_status("suspended", date(2020, 1, 1), today) == "suspended"
    assert c.status_label("valid", date(2026, 3, 14), today) == "已过期"
    assert c.status_label("revoked") == "已吊销"
    assert c.holds_valid("valid", today, today) and not c.holds_valid("suspended", date(2030, 1, 1), today)


def test_dates_add_months_and_validity():
    assert c.add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert c.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert c.add_months(date(2026, 3, 15), -12) == date(2025, 3, 15)
    assert c.expires_on(date(2026, 3, 15), 5) == date(2031, 3, 15)


RULE = Rule("ENFORCEMENT", min_hours=40, window_months=12, pass_mark=60)


def facts(**kw) -> Facts:
    base = dict(on_post=True, is_enforcement=True, is_supervision=False, hours=40.0, major_score=75, public_score=80)
    return Facts(**{**base, **kw})


def codes(unmet):
    return [u.code for u in unmet]


def test_eligible_at_exactly_the_limits():
    assert c.check(facts(hours=40.0, major_score=60, public_score=60), RULE) == []
    assert c.check(facts(hours=2400 / 60), RULE) == []
    assert c.check(facts(hours=39.999999999), RULE) == []       # float noise of the sum is not a shortfall


def test_each_unmet_condition_is_named():
    unmet = c.check(facts(hours=39.9), RULE)
    assert codes(unmet) == ["hours"]
    assert unmet[0].message == "近 12 个月培训学时 39.9 小时，不足 40 小时"
    unmet = c.check(facts(major_score=59.5), RULE)
    assert unmet[0].message == "资格考试（专业）最好成绩 59.5 分，未达到 60 分"
    unmet = c.check(facts(public_score=None), RULE)
    assert unmet[0].message == "没有资格考试（公共）的成绩"
    assert c.check(facts(on_post=False), RULE)[0].message == "不是在编在岗人员"
    assert "不在执法岗位" in c.check(facts(is_enforcement=False), RULE)[0].message
    assert codes(c.check(facts(active=False), RULE)) == ["active"]


def test_supervision_needs_a_supervision_post():
    rule = Rule("SUPERVISION")
    unmet = c.check(facts(is_enforcement=True, is_supervision=False), rule)
    assert codes(unmet) == ["post"] and "不在监督岗位" in unmet[0].message
    assert c.check(facts(is_enforcement=False, is_supervision=True), rule) == []


def test_everything_unmet_at_once_in_order():
    unmet = c.check(facts(on_post=False, is_enforcement=False, hours=0, major_score=None, public_score=10), RULE)
    assert codes(unmet) == ["on_post", "post", "hours", "major_score", "public_score"]


def test_review_and_renewal_conditions():
    assert c.review_check(facts(major_score=None), RULE, sanctioned=False) == []
    assert codes(c.review_check(facts(), RULE, sanctioned=True)) == ["sanction"]
    assert codes(c.review_check(facts(on_post=False, hours=10), RULE, sanctioned=False)) == ["on_post", "hours"]
    assert c.renew_check(facts(public_score=None), RULE) == []


def test_number_pattern():
    p = "{type_code}-{unit}-{year}-{seq:05d}"
    assert c.format_number(p, type_code="ZF", unit="A1", year=2026, seq=7) == "ZF-A1-2026-00007"
    assert c.sequence_key(p, type_code="ZF", unit="A1", year=2026) == "type_code=ZF|unit=A1|year=2026"
    assert c.sequence_key("{year}{seq:04d}", type_code="JD", unit="B", year=2026) == "year=2026"
    c.validate_pattern(p)
    for bad, words in (("{type_code}-{year}", "{seq}"), ("{name}-{seq}", "name"), ("{seq", "编号格式有误"),
                       ("{}-{seq}", "不能使用"), ("{seq:05x}" * 9, "40")):
        with pytest.raises(ValueError) as e:
            c.validate_pattern(bad)
        assert words in str(e.value)
