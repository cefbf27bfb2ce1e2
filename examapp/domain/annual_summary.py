"""The annual summary for the director's duty report (年度学法考法工作情况): which figures it carries, in
which groups, each set against last year, and the sentences of its prose paragraph. No database here: the
service hands in two dicts of figure values (this year's and last year's).

Units: `count` (whole numbers), `hours` (one decimal), `rate` (a fraction 0..1 shown as a percentage;
its change is in percentage points). A value of None means "not applicable" (a rate without a
denominator) and is shown as —; so is any change involving one.
"""
import hashlib
from dataclasses import dataclass
from datetime import date

from .audit_chain import canonical_json

OFFLINE_KINDS = ("lecture", "group_study", "leader_study", "oath")
OFFLINE_LABELS = {"lecture": "法治讲座", "group_study": "集中学习", "leader_study": "党组中心组学法", "oath": "宪法宣誓"}
EXAM_KINDS = ("annual", "qualification_major", "qualification_public", "competition")
EXAM_LABELS = {"annual": "年度普法考试", "qualification_major": "资格考试（专业）",
               "qualification_public": "资格考试（公共）", "competition": "竞赛"}
CERT_EVENTS = {"issue": "cert_issued", "renew": "cert_renewed", "suspend": "cert_suspended",
               "revoke": "cert_revoked", "cancel": "cert_cancelled"}


@dataclass(frozen=True)
class Spec:
    key: str
    label: str          # the untranslated original (the Word document is in Chinese; pages translate)
    unit: str           # count | hours | rate
    level: int = 0      # 1: a part of the row above


def _offline_specs() -> tuple[Spec, ...]:
    out = [Spec("offline_sessions", "线下学习活动（场次）", "count"),
           Spec("offline_people", "线下学习参加人数", "count"),
           Spec("offline_times", "线下学习参加人次", "count")]
    for kind in OFFLINE_KINDS:
        label = OFFLINE_LABELS[kind]
        out += [Spec(f"{kind}_sessions", f"{label}（场次）", "count", 1),
                Spec(f"{kind}_people", f"{label}参加人数", "count", 1),
                Spec(f"{kind}_times", f"{label}参加人次", "count", 1)]
    return tuple(out)


SECTIONS: tuple[tuple[str, str, tuple[Spec, ...]], ...] = (
    ("study", "学法", (
        Spec("courses", "学习课程（门）", "count"),
        Spec("lessons", "课时（节）", "count"),
        *_offline_specs(),
        Spec("people_trained", "参学人数", "count"),
        Spec("hours", "累计学时", "hours"),
        Spec("average_hours", "人均学时", "hours"),
        Spec("study_completion_rate", "学时完成率", "rate"),
    )),
    ("exam", "考法", (
        Spec("exam_rounds", "考试场次", "count"),
        *(Spec(f"{kind}_rounds", f"{EXAM_LABELS[kind]}（场次）", "count", 1) for kind in EXAM_KINDS),
        Spec("expected", "应参考人数", "count"),
        Spec("exempt", "免考人数", "count"),
        Spec("sat", "参考人数", "count"),
        Spec("passed", "合格人数", "count"),
        Spec("excellent", "优秀人数", "count"),
        Spec("participation_rate", "参考率", "rate"),
        Spec("pass_rate", "合格率（占参考人数）", "rate"),
        Spec("pass_rate_of_expected", "合格率（占应参考人数）", "rate"),
        Spec("excellence_rate", "优秀率", "rate"),
    )),
    ("certificate", "执法资格", (
        Spec("cert_issued", "新发证件", "count"),
        Spec("cert_renewed", "换发证件", "count"),
        Spec("cert_suspended", "暂扣证件", "count"),
        Spec("cert_revoked", "吊销证件", "count"),
        Spec("cert_cancelled", "注销证件", "count"),
        Spec("valid_certificates_total", "有效证件（统计日）", "count"),
        Spec("valid_enforcement", "行政执法证", "count", 1),
        Spec("valid_supervision", "行政执法监督证", "count", 1),
        Spec("enforcement_staff", "执法人员", "count"),
        Spec("certified_staff", "持有效行政执法证的执法人员", "count"),
        Spec("certificate_rate", "持证率", "rate"),
    )),
)
SECTION_TITLES = {key: title for key, title, _specs in SECTIONS}
SPECS = {spec.key: spec for _key, _title, specs in SECTIONS for spec in specs}


# -- arithmetic -----------------------------------------------------------------------------------------

def hours(minutes: float) -> float:
    return round(float(minutes or 0) / 60.0, 2)


def average(total: float, people: int) -> float | None:
    """Per person, to two places; None when nobody is counted."""
    return round(total / people, 2) if people else None


def change(this, last, unit: str):
    """this − last: whole numbers for counts, hours to two places, percentage points to one place for rates;
    None when either side is missing."""
    if this is None or last is None:
        return None
    if unit == "rate":
        return round((this - last) * 100, 1)
    if unit == "count":
        return int(this) - int(last)
    return round(this - last, 2)


def relative(this, last, unit: str) -> float | None:
    """The change as a percentage of last year's value (counts and hours only); None when last year was 0."""
    if unit == "rate" or this is None or not last:
        return None
    return round((this - last) * 100.0 / last, 1)


def number(value) -> str:
    """12 → "12", 12.50 → "12.5", 1234.5 → "1234.5"."""
    if value is None:
        return "—"
    value = round(float(value), 2)
    return str(int(value)) if value.is_integer() else f"{value:g}"


def shown(value, unit: str) -> str:
    """A figure as printed: a count, hours, or a rate as a percentage with one decimal."""
    if value is None:
        return "—"
    if unit == "rate":
        return f"{value * 100:.1f}%"
    return number(value)


def signed(value) -> str:
    """+3, −2 (a true minus sign), 0; — when unknown."""
    if value is None:
        return "—"
    text = number(abs(value))
    return f"+{text}" if value > 0 else (f"−{text}" if value < 0 else "0")


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    unit: str
    level: int
    this: float | int | None
    last: float | int | None

    @property
    def change(self):
        return change(self.this, self.last, self.unit)

    @property
    def relative(self) -> float | None:
        return relative(self.this, self.last, self.unit)

    @property
    def this_text(self) -> str:
        return shown(self.this, self.unit)

    @property
    def last_text(self) -> str:
        return shown(self.last, self.unit)

    @property
    def change_text(self) -> str:
        """+3 / −1.5 / 0, without a unit: percentage points for rates (the page and the document name it)."""
        return signed(self.change)

    @property
    def relative_text(self) -> str:
        """+25.0% of last year's value, or "" where it means nothing (a rate, or last year 0)."""
        r = self.relative
        return "" if r is None else f"{'+' if r > 0 else ('−' if r < 0 else '')}{abs(r):.1f}%"


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    figures: tuple[Figure, ...]


@dataclass(frozen=True)
class Summary:
    """One year's summary for a unit subtree, against last year."""
    year: int
    unit_code: str
    unit_name: str
    as_of: date             # the date dated figures (valid certificates, rates) were taken on this year
    last_as_of: date        # … and last year (31 December)
    sections: tuple[Section, ...]
    digest: str

    def figure(self, key: str) -> Figure:
        return next(f for s in self.sections for f in s.figures if f.key == key)

    @property
    def values(self) -> dict:
        return {f.key: f.this for s in self.sections for f in s.figures}


def compare(this: dict, last: dict) -> tuple[Section, ...]:
    """Every figure of the layout with this year's and last year's value."""
    return tuple(Section(key, title, tuple(Figure(s.key, s.label, s.unit, s.level, this.get(s.key), last.get(s.key))
                                           for s in specs))
                 for key, title, specs in SECTIONS)


def digest(year: int, unit_code: str, as_of: str, this: dict, last: dict) -> str:
    """SHA-256 of the canonical JSON of the figures: printed on the export and kept in its audit event, so a
    document can be matched to what the records said."""
    payload = {"year": year, "unit": unit_code, "as_of": as_of,
               "figures": {key: [this.get(key), last.get(key)] for key in SPECS}}
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()


# -- prose -----------------------------------------------------------------------------------------------

def _versus(f: Figure, measure: str = "") -> str:
    """"，较上年增加3人" / "，较上年提高1.5个百分点" / "，与上年持平" / "" (nothing to compare with)."""
    c = f.change
    if c is None:
        return ""
    if c == 0:
        return "，与上年持平"
    if f.unit == "rate":
        return f"，较上年{'提高' if c > 0 else '下降'}{number(abs(c))}个百分点"
    return f"，较上年{'增加' if c > 0 else '减少'}{number(abs(c))}{measure}"


def _pct(value) -> str:
    return shown(value, "rate")


def prose(year: int, unit_name: str, as_of: str, sections: tuple[Section, ...]) -> list[str]:
    """Three sentences (学法, 考法, 执法资格), built only from the figures."""
    f = {fig.key: fig for s in sections for fig in s.figures}
    v = {key: fig.this for key, fig in f.items()}

    study = (f"{year}年度，{unit_name}人员参加学法课程{number(v['courses'])}门、课时{number(v['lessons'])}节")
    activities = [f"{OFFLINE_LABELS[k]}{number(v[k + '_sessions'])}场（{number(v[k + '_times'])}人次）"
                  for k in OFFLINE_KINDS if v[f"{k}_sessions"]]
    if activities:
        study += f"，其中{'、'.join(activities)}"
    study += (f"；参学{number(v['people_trained'])}人{_versus(f['people_trained'], '人')}，"
              f"累计学时{number(v['hours'])}学时{_versus(f['hours'], '学时')}")
    if v["average_hours"] is not None:
        study += f"，人均{number(v['average_hours'])}学时"
    if v["study_completion_rate"] is not None:
        study += f"，学时完成率{_pct(v['study_completion_rate'])}{_versus(f['study_completion_rate'])}"
    study += "。"

    rounds = [f"{EXAM_LABELS[k]}{number(v[k + '_rounds'])}场" for k in EXAM_KINDS if v[f"{k}_rounds"]]
    exam = f"组织考试{number(v['exam_rounds'])}场" + (f"（{'、'.join(rounds)}）" if rounds else "")
    exam += f"；年度普法考试应参考{number(v['expected'])}人"
    if v["exempt"]:
        exam += f"（另有免考{number(v['exempt'])}人）"
    exam += f"，实际参考{number(v['sat'])}人"
    if v["participation_rate"] is not None:
        exam += f"，参考率{_pct(v['participation_rate'])}{_versus(f['participation_rate'])}"
    exam += f"，合格{number(v['passed'])}人"
    if v["pass_rate"] is not None:
        exam += f"，合格率{_pct(v['pass_rate'])}{_versus(f['pass_rate'])}"
    exam += "。"

    cert = (f"全年新发执法证件{number(v['cert_issued'])}件、换发{number(v['cert_renewed'])}件、"
            f"暂扣{number(v['cert_suspended'])}件、吊销{number(v['cert_revoked'])}件、注销{number(v['cert_cancelled'])}件；"
            f"截至{as_of}，有效证件{number(v['valid_certificates_total'])}件"
            f"（行政执法证{number(v['valid_enforcement'])}件、行政执法监督证{number(v['valid_supervision'])}件）")
    if v["certificate_rate"] is not None:
        cert += (f"，执法人员{number(v['enforcement_staff'])}人，持证率{_pct(v['certificate_rate'])}"
                 f"{_versus(f['certificate_rate'])}")
    cert += "。"
    return [study, exam, cert]


__all__ = ["CERT_EVENTS", "EXAM_KINDS", "EXAM_LABELS", "OFFLINE_KINDS", "OFFLINE_LABELS", "SECTIONS",
           "SECTION_TITLES", "SPECS", "Figure", "Section", "Spec", "Summary", "average", "change", "compare", "digest",
           "hours", "number", "prose", "relative", "shown", "signed"]
