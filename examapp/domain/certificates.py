"""Enforcement certificates ("两证") without a database: types, status labels, the lifecycle as a
transition table, the eligibility rule and the number pattern."""
import calendar
import string
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class CertType:
    code: str            # ENFORCEMENT | SUPERVISION
    label: str
    short: str           # 执法 / 监督: the import file's spelling
    type_code: str       # the number pattern's {type_code}
    post_flag: str       # the User flag the post requires
    post_label: str


TYPES: dict[str, CertType] = {
    "ENFORCEMENT": CertType("ENFORCEMENT", "行政执法证", "执法", "ZF", "is_enforcement", "执法岗位"),
    "SUPERVISION": CertType("SUPERVISION", "行政执法监督证", "监督", "JD", "is_supervision", "监督岗位"),
}

STATUS_LABELS = {
    "valid": "有效",
    "expiring": "即将到期",      # derived: valid and within the renewal lead time
    "expired": "已过期",
    "suspended": "暂扣",
    "revoked": "已吊销",
    "recalled": "已收回",
    "cancelled": "已注销",
    "lost": "已挂失",
    "replaced": "已换发",
}
# statuses nothing leads out of
FINAL = frozenset({"revoked", "cancelled", "replaced"})


class TransitionRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# -- dates ----------------------------------------------------------------------------------------

def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier); the 31st becomes the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def expires_on(issued_on: date, validity_years: int) -> date:
    return add_months(issued_on, 12 * validity_years)


def is_expired(cert_expires_on: date, today: date) -> bool:
    """The certificate is good up to and including its expiry date."""
    return cert_expires_on < today


def expiring(cert_expires_on: date, today: date, lead: int) -> bool:
    """Still in date, but within `lead` months of the expiry: time to renew (换发)."""
    return not is_expired(cert_expires_on, today) and cert_expires_on <= add_months(today, lead)


def effective_status(status: str, cert_expires_on: date, today: date, lead: int | None = None) -> str:
    """The status a reader should see today: a valid certificate past its date is expired even before
    the nightly job has switched it; with `lead`, one near its date is "expiring"."""
    if status == "valid":
        if is_expired(cert_expires_on, today):
            return "expired"
        if lead is not None and expiring(cert_expires_on, today, lead):
            return "expiring"
    return status


def status_label(status: str, cert_expires_on: date | None = None, today: date | None = None,
                 lead: int | None = None) -> str:
    if cert_expires_on is not None and today is not None:
        status = effective_status(status, cert_expires_on, today, lead)
    return STATUS_LABELS.get(status, status)


def holds_valid(status: str, cert_expires_on: date, today: date) -> bool:
    return effective_status(status, cert_expires_on, today) == "valid"


# -- lifecycle ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Transition:
    kind: str                   # the CertificateEvent kind
    label: str
    sources: frozenset          # statuses it may start from
    target: str                 # this certificate's status afterwards
    creates_new: bool = False   # a new certificate (with a new number) is issued
    four_eyes: bool = False     # requested by one admin, applied when a second approves
    system: bool = False        # done by the scheduler (by date), not offered on the page
    reason_required: bool = True


def _t(kind, label, sources, target, **kw) -> Transition:
    return Transition(kind, label, frozenset(sources), target, **kw)


TRANSITIONS: dict[str, Transition] = {t.kind: t for t in (
    _t("issue", "发证", (), "valid", reason_required=False),
    _t("review", "审验", ("valid",), "valid"),
    _t("renew", "换发", ("valid", "expired"), "replaced", creates_new=True),
    _t("suspend", "暂扣", ("valid",), "suspended"),
    _t("reinstate", "恢复", ("suspended",), "valid"),
    _t("revoke", "吊销", ("valid", "suspended"), "revoked", four_eyes=True),
    _t("recall", "收回", ("valid", "suspended"), "recalled"),
    _t("cancel", "注销", ("valid", "suspended", "expired", "recalled", "lost"), "cancelled"),
    _t("lose", "挂失", ("valid",), "lost"),
    _t("reissue", "补发", ("lost",), "lost", creates_new=True),
    _t("expire", "到期", ("valid",), "expired", system=True, reason_required=False),
)}
# events that are not status changes but appear in a certificate's history
EVENT_LABELS = {**{k: t.label for k, t in TRANSITIONS.items()}, "import": "导入", "propose_cancel": "建议注销"}


def refusal(kind: str, status: str, *, has_successor: bool = False) -> str | None:
    """Why `kind` cannot be done to a certificate in `status` (None: it can)."""
    t = TRANSITIONS.get(kind)
    if t is None:
        return f"未知的证件操作 {kind}"
    label = STATUS_LABELS.get(status, status)
    if status not in t.sources:
        return f"证件当前状态为「{label}」，不能{t.label}"
    if t.creates_new and has_successor:
        return f"该证件已{t.label}过新证，不能再次{t.label}"
    return None


def check_transition(kind: str, status: str, *, has_successor: bool = False) -> Transition:
    problem = refusal(kind, status, has_successor=has_successor)
    if problem:
        raise TransitionRefused(problem)
    return TRANSITIONS[kind]


def allowed(status: str, *, has_successor: bool = False, include_system: bool = False) -> list[Transition]:
    """The actions a page may offer for a certificate in `status`."""
    return [t for t in TRANSITIONS.values() if (include_system or not t.system) and t.sources
            and refusal(t.kind, status, has_successor=has_successor) is None]


# -- eligibility ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Rule:
    type: str                  # ENFORCEMENT | SUPERVISION
    min_hours: float = 40
    window_months: int = 12
    pass_mark: float = 60


@dataclass(frozen=True)
class Facts:
    on_post: bool
    is_enforcement: bool
    is_supervision: bool
    hours: float                         # credited training hours in the rule's window
    major_score: float | None = None     # best qualification exam (专业) score, on 100; None: never passed one
    public_score: float | None = None    # best qualification exam (公共) score
    active: bool = True


@dataclass(frozen=True)
class Unmet:
    code: str
    message: str


EXAMS = (("major_score", "资格考试（专业）"), ("public_score", "资格考试（公共）"))


def _fmt(value: float) -> str:
    return f"{round(value, 1):g}"


def _post_and_hours(facts: Facts, rule: Rule) -> list[Unmet]:
    cert = TYPES[rule.type]
    unmet = []
    if not facts.active:
        unmet.append(Unmet("active", "人员已停用"))
    if not facts.on_post:
        unmet.append(Unmet("on_post", "不是在编在岗人员"))
    if not getattr(facts, cert.post_flag):
        unmet.append(Unmet("post", f"不在{cert.post_label}（{cert.label}须为{cert.post_label}人员）"))
    # hours are rounded to 2 places so that 2400 minutes of float arithmetic still make exactly 40
    if round(facts.hours, 2) < rule.min_hours:
        unmet.append(Unmet("hours", f"近 {rule.window_months} 个月培训学时 {_fmt(facts.hours)} 小时，"
                                    f"不足 {_fmt(rule.min_hours)} 小时"))
    return unmet


def check(facts: Facts, rule: Rule) -> list[Unmet]:
    """Every condition of the rule the person does not meet, each named in Chinese (empty: eligible)."""
    unmet = _post_and_hours(facts, rule)
    for attr, label in EXAMS:
        score = getattr(facts, attr)
        if score is None:
            unmet.append(Unmet(attr, f"没有{label}的成绩"))
        elif score < rule.pass_mark:
            unmet.append(Unmet(attr, f"{label}最好成绩 {_fmt(score)} 分，未达到 {_fmt(rule.pass_mark)} 分"))
    return unmet


def review_check(facts: Facts, rule: Rule, *, sanctioned: bool) -> list[Unmet]:
    """Annual review (审验): still in post, no sanction, hours met."""
    unmet = _post_and_hours(facts, rule)
    if sanctioned:
        unmet.append(Unmet("sanction", "审验期内受到处分或有违法违纪行为"))
    return unmet


def renew_check(facts: Facts, rule: Rule) -> list[Unmet]:
    """Renewal (换发): the post and the training still hold; the qualification exams are not retaken."""
    return _post_and_hours(facts, rule)


# -- numbers --------------------------------------------------------------------------------------

NUMBER_FIELDS = ("type_code", "unit", "year", "seq")


def pattern_fields(pattern: str) -> list[str]:
    """The fields the pattern uses; ValueError (in Chinese) for a malformed or unknown one."""
    try:
        parsed = list(string.Formatter().parse(pattern))
    except ValueError as e:
        raise ValueError(f"编号格式有误：{e}") from e
    names = [name for _text, name, _spec, _conv in parsed if name is not None]
    unknown = [n for n in names if n not in NUMBER_FIELDS]
    if unknown or "" in names:
        raise ValueError("编号格式只能使用 {type_code}、{unit}、{year}、{seq}，不能使用：" +
                         "、".join(n or "{}" for n in unknown or [""]))
    if "seq" not in names:
        raise ValueError("编号格式必须包含序号 {seq}，例如 {seq:05d}")
    return names


def validate_pattern(pattern: str) -> None:
    pattern_fields(pattern)
    try:
        sample = format_number(pattern, type_code="ZF", unit="A1", year=2026, seq=1)
    except (ValueError, TypeError, KeyError, IndexError) as e:
        raise ValueError(f"编号格式有误：{e}") from e
    if len(sample) > 40:
        raise ValueError("按此格式生成的证号超过 40 个字符")


def format_number(pattern: str, *, type_code: str, unit: str, year: int, seq: int) -> str:
    return pattern.format(type_code=type_code, unit=unit, year=year, seq=seq)


def sequence_key(pattern: str, *, type_code: str, unit: str, year: int) -> str:
    """Numbers are counted per combination of the fields the pattern shows, so that two certificates
    can never get the same number (a pattern without {unit} counts across units)."""
    values = {"type_code": type_code, "unit": unit, "year": year}
    used = [n for n in pattern_fields(pattern) if n != "seq"]
    return "|".join(f"{n}={values[n]}" for n in NUMBER_FIELDS if n in used)[:80] or "all"


__all__ = ["EVENT_LABELS", "FINAL", "STATUS_LABELS", "TRANSITIONS", "TYPES", "CertType", "Facts", "Rule",
           "Transition", "TransitionRefused", "Unmet", "add_months", "allowed", "check", "check_transition",
           "effective_status", "expires_on", "expiring", "format_number", "holds_valid", "is_expired",
           "pattern_fields", "refusal", "renew_check", "review_check", "sequence_key", "status_label",
           "validate_pattern"]
