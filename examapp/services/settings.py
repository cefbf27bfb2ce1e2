"""Settings an admin can change: the registry below holds each one's type, default, limits and label;
a Setting row overrides the default."""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from ..domain.certificates import validate_pattern
from ..errors import PermissionDenied, ValidationError
from ..extensions import db
from ..models import Setting
from . import audit
from .tx import begin_write, commit


@dataclass(frozen=True)
class SettingSpec:
    key: str
    label: str
    type: type                  # int | float | str
    default: object
    minimum: float | None = None
    maximum: float | None = None
    help: str = ""
    unit: str = ""
    check: Callable[[object], None] | None = None   # raises ValueError with a Chinese message
    max_length: int = 200


REGISTRY: dict[str, SettingSpec] = {}


def register(spec: SettingSpec) -> SettingSpec:
    REGISTRY[spec.key] = spec
    return spec


for _spec in (
    SettingSpec("cert.validity_years", "证件有效期", int, 5, 1, 20, "新发证件的有效年限", "年"),
    SettingSpec("cert.renewal_lead_months", "换证提前期", int, 6, 0, 24, "到期前多少个月起视为即将到期、提醒换证", "个月"),
    SettingSpec("cert.min_hours", "申领所需培训学时", int, 40, 0, 1000, "统计期内至少应完成的培训学时", "小时"),
    SettingSpec("cert.hours_window_months", "学时统计期", int, 12, 1, 60, "统计最近多少个月的培训学时", "个月"),
    SettingSpec("cert.pass_mark", "资格考试合格分", float, 60, 0, 100, "资格考试（专业、公共）的最好成绩均须达到此分数（百分制）", "分"),
    SettingSpec("cert.number_pattern", "证号格式", str, "{type_code}-{unit}-{year}-{seq:05d}",
                help="可用 {type_code}（执法证 ZF、监督证 JD）、{unit}（单位编码）、{year}（年份）、{seq:05d}（序号，5 位补零）",
                check=validate_pattern, max_length=80),
    SettingSpec("report.class1_min", "一类单位最低比率", int, 95, 0, 100,
                "课时完成率、参考率、合格率（占应参考）和持证率均不低于此值的单位评为一类", "%"),
    SettingSpec("report.class2_min", "二类单位最低比率", int, 85, 0, 100, "各项比率均不低于此值的单位评为二类", "%"),
    SettingSpec("report.class3_min", "三类单位最低比率", int, 70, 0, 100,
                "各项比率均不低于此值的单位评为三类，低于此值为不合格", "%"),
    SettingSpec("cert.authority", "发证机关", str, "市工业和信息化局", help="印在证件上的发证机关名称", max_length=120),
):
    register(_spec)


def spec_of(key: str) -> SettingSpec:
    spec = REGISTRY.get(key)
    if spec is None:
        raise ValidationError("key", f"未知的设置项 {key}")
    return spec


def get(key: str):
    spec = spec_of(key)
    row = db.session.get(Setting, key)
    if row is None:
        return spec.default
    try:
        return spec.type(row.value)
    except (TypeError, ValueError):
        return spec.default   # a row that no longer parses must not take the pages down


def rows() -> list[tuple[SettingSpec, object, Setting | None]]:
    """Every setting with its value in force and the row overriding it, if any."""
    stored = {s.key: s for s in db.session.query(Setting).filter(Setting.key.in_(list(REGISTRY)))}
    out = []
    for spec in REGISTRY.values():
        row = stored.get(spec.key)
        out.append((spec, get(spec.key) if row is not None else spec.default, row))
    return out


def parse(spec: SettingSpec, raw) -> object:
    """The value from a form's text (or a typed value), checked against the spec; ValidationError names it."""
    text = str(raw).strip() if raw is not None else ""
    if not text:
        raise ValidationError(spec.key, f"「{spec.label}」不能为空")
    try:
        if spec.type is int:
            value = int(text)
        elif spec.type is float:
            value = float(text)
            if value != value or value in (float("inf"), float("-inf")):
                raise ValueError
        else:
            value = text
    except ValueError:
        kind = "整数" if spec.type is int else "数字"
        raise ValidationError(spec.key, f"「{spec.label}」应填写{kind}") from None
    if spec.type is str and len(value) > spec.max_length:
        raise ValidationError(spec.key, f"「{spec.label}」不能超过 {spec.max_length} 个字符")
    if spec.minimum is not None and value < spec.minimum or spec.maximum is not None and value > spec.maximum:
        raise ValidationError(spec.key, f"「{spec.label}」应在 {spec.minimum:g} 到 {spec.maximum:g} 之间")
    if spec.check is not None:
        try:
            spec.check(value)
        except ValueError as e:
            raise ValidationError(spec.key, f"「{spec.label}」：{e}") from None
    return value


CLASS_KEYS = ("report.class1_min", "report.class2_min", "report.class3_min")


def _check_class_order(values: dict) -> None:
    """一类 ≥ 二类 ≥ 三类: the classes are tried in that order."""
    for higher, lower in zip(CLASS_KEYS, CLASS_KEYS[1:], strict=False):
        if values[higher] < values[lower]:
            raise ValidationError(lower, f"「{spec_of(lower).label}」不能高于「{spec_of(higher).label}」")


def set_many(actor, values: dict, now: datetime) -> int:
    """Change several settings in one transaction (admins only): every value is checked first, so one bad
    value changes nothing. Each change is audited with the old and new value. Returns how many changed."""
    if not actor.has_role("admin"):
        raise PermissionDenied("只有系统管理员可以修改设置")
    parsed = {key: parse(spec_of(key), raw) for key, raw in values.items()}
    _check_class_order({key: parsed.get(key, get(key)) for key in CLASS_KEYS})
    begin_write()
    changed = 0
    for key, new in parsed.items():
        old = get(key)
        if new == old:
            continue
        row = db.session.get(Setting, key)
        if row is None:
            db.session.add(Setting(key=key, value=new, updated_by=actor.username, updated_at=now))
        else:
            row.value, row.updated_by, row.updated_at = new, actor.username, now
        audit.record("setting.update", actor=actor, now=now, object_type="setting", object_id=key,
                     data={"old": old, "new": new})
        changed += 1
    commit()
    return changed


def set(actor, key: str, value, now: datetime) -> object:  # noqa: A001
    """Change one setting; see set_many."""
    set_many(actor, {key: value}, now)
    return get(key)


__all__ = ["REGISTRY", "SettingSpec", "get", "parse", "register", "rows", "set", "set_many", "spec_of"]
