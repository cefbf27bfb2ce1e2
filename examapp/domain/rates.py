"""Rate arithmetic for the yearly report (DESIGN §2 "Rates"): the counts a row carries, the rates derived
from them, the digest of a report, and a unit's class. No database here."""
import hashlib
from dataclasses import asdict, dataclass, fields

from .audit_chain import canonical_json

COUNTS = ("expected", "exempt", "study_completed", "sat", "passed", "excellent", "enforcement_staff",
          "valid_certificates")
RATES = ("study_completion_rate", "participation_rate", "pass_rate", "pass_rate_of_expected", "excellence_rate",
         "certificate_rate")


def fraction(numerator: int, denominator: int) -> float | None:
    """A rate 0..1 to four places, or None where nobody is counted."""
    return round(numerator / denominator, 4) if denominator else None


@dataclass
class Counts:
    expected: int = 0
    exempt: int = 0
    study_completed: int = 0
    sat: int = 0
    passed: int = 0
    excellent: int = 0
    enforcement_staff: int = 0
    valid_certificates: int = 0

    def __add__(self, other: "Counts") -> "Counts":
        return Counts(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    @classmethod
    def total(cls, items) -> "Counts":
        out = cls()
        for item in items:
            out = out + item
        return out

    def rates(self) -> dict[str, float | None]:
        return {
            "study_completion_rate": fraction(self.study_completed, self.expected),
            "participation_rate": fraction(self.sat, self.expected),
            "pass_rate": fraction(self.passed, self.sat),
            "pass_rate_of_expected": fraction(self.passed, self.expected),
            "excellence_rate": fraction(self.excellent, self.sat),
            "certificate_rate": fraction(self.valid_certificates, self.enforcement_staff),
        }

    def as_dict(self) -> dict:
        return {**asdict(self), **self.rates()}


# The figures that decide a unit's class: each must reach the class's threshold (the certificate rate only
# where the unit has enforcement staff). A unit is as good as its weakest figure.
CLASS_FIGURES = ("study_completion_rate", "participation_rate", "pass_rate_of_expected", "certificate_rate")
CLASSES = ("一类", "二类", "三类", "不合格")


def weakest(rates: dict) -> float | None:
    values = [rates[k] for k in CLASS_FIGURES if rates.get(k) is not None]
    return min(values) if values else None


def classify(rates: dict, thresholds: tuple[float, float, float]) -> str:
    """一类/二类/三类 when the weakest figure reaches the first/second/third threshold, else 不合格;
    "" when the unit has nobody to count."""
    low = weakest(rates)
    if low is None:
        return ""
    for label, minimum in zip(CLASSES, thresholds, strict=False):
        if low >= minimum - 1e-9:
            return label
    return CLASSES[-1]


def rank_key(rates: dict) -> tuple:
    """Better units first: the weakest figure, then the mean of the class figures."""
    values = [rates[k] for k in CLASS_FIGURES if rates.get(k) is not None]
    if not values:
        return (1, 0.0, 0.0)
    return (0, -min(values), -sum(values) / len(values))


def digest(rows: list[dict], total: dict) -> str:
    """SHA-256 of the canonical JSON of the rows and the total (DESIGN §4)."""
    return hashlib.sha256(canonical_json({"rows": rows, "total": total}).encode("utf-8")).hexdigest()


# -- the people behind a figure ------------------------------------------------------------------------

@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    numerator: str            # the 0/1 fact a person must have to be counted in it
    base: str | None          # the 0/1 fact of the population its gap is taken from (None: no gap)
    gap_label: str = ""


FIGURES: dict[str, Figure] = {f.key: f for f in (
    Figure("expected", "应参考", "expected", None),
    Figure("exempt", "免考", "exempt", None),
    Figure("study_completed", "学时完成", "study_completed", "expected", "学时未完成"),
    Figure("sat", "参考", "sat", "expected", "未参考"),
    Figure("passed", "合格", "passed", "sat", "未合格"),
    Figure("excellent", "优秀", "excellent", "sat", "未达优秀"),
    Figure("enforcement_staff", "执法人员", "enforcement_staff", None),
    Figure("valid_certificates", "持有效执法证", "valid_certificates", "enforcement_staff", "无有效执法证"),
)}


@dataclass(frozen=True)
class PersonFacts:
    exempt: int
    study_completed: int
    sat: int
    passed: int
    excellent: int
    enforcement_staff: int
    valid_certificates: int
    has_plan: bool
    minutes: float
    required: float
    score: float | None
    pending: int
    exemption: str = ""       # "情形（批准人）" when exempt


def reasons(p: PersonFacts) -> list[str]:
    """Why a person counts where they do, in the words of the report's gaps."""
    if p.exempt:
        out = [f"免考：{p.exemption}" if p.exemption else "免考"]
    else:
        out = []
        if not p.has_plan:
            out.append("无适用的学习计划")
        elif not p.study_completed:
            out.append(f"学时不足 {p.minutes / 60:.1f}/{p.required / 60:.1f}")
        if not p.sat:
            out.append("未参加年度考试")
        elif p.pending and p.score is None:
            out.append("待阅卷")
        elif not p.passed:
            out.append(f"未合格（{p.score:g} 分）" if p.score is not None else "未合格")
    if p.enforcement_staff and not p.valid_certificates:
        out.append("无有效执法证")
    return out


@dataclass(frozen=True)
class Deadlines:
    study: object = None          # the plan's deadline
    exam_open_until: object = None    # the annual exam's close, while it is still open
    makeup_until: object = None       # the make-up window's close, when one is still to come or open
    makeup_for: frozenset = frozenset()


def actions(p: PersonFacts, d: Deadlines) -> list[tuple[str, object]]:
    """整改: what the person must do and by when (None: no date is set)."""
    out: list[tuple[str, object]] = []
    if not p.exempt:
        if not p.has_plan:
            out.append(("确认适用的学习计划", None))
        elif not p.study_completed:
            short = max(p.required - p.minutes, 0) / 60
            out.append((f"补足学时 {short:.1f} 小时", d.study))
        if not p.sat:
            if d.exam_open_until:
                out.append(("参加年度考试", d.exam_open_until))
            elif d.makeup_until and "absent" in d.makeup_for:
                out.append(("参加补考", d.makeup_until))
            else:
                out.append(("参加下一次年度考试", None))
        elif not p.passed and not (p.pending and p.score is None):
            if d.exam_open_until:
                out.append(("在考试关闭前再次参加年度考试", d.exam_open_until))
            elif d.makeup_until and "failed" in d.makeup_for:
                out.append(("参加补考", d.makeup_until))
            else:
                out.append(("参加下一次年度考试", None))
    if p.enforcement_staff and not p.valid_certificates:
        out.append(("取得有效行政执法证，取得前不得从事执法", None))
    return out


__all__ = ["CLASSES", "CLASS_FIGURES", "COUNTS", "FIGURES", "RATES", "Counts", "Deadlines", "Figure", "PersonFacts",
           "actions", "classify", "digest", "fraction", "rank_key", "reasons", "weakest"]
