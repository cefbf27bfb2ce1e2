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


__all__ = ["CLASSES", "CLASS_FIGURES", "COUNTS", "RATES", "Counts", "classify", "digest", "fraction", "rank_key",
           "weakest"]
