"""The units and people import files: their columns and their rows as dataclasses."""
import re
from dataclasses import dataclass, field

from ..domain.people import FLAGS as FLAG_KEYS
from ..domain.people import UNIT_CODE_RE as CODE_RE
from ..domain.people import USERNAME_RE, email_problem
from .tabular import Column, RowError, Table, parse_bool

UNIT_KIND_NAMES = {
    "局机关": "bureau", "机关": "bureau", "内设科室": "department", "科室": "department",
    "直属单位": "affiliated", "区县局": "district", "区局": "district", "其他": "other",
}
UNIT_KIND_LABELS = {v: k for k, v in reversed(list(UNIT_KIND_NAMES.items()))}
ROLE_NAMES = {"学员": "employee", "单位管理员": "unit_admin", "系统管理员": "admin", "审计督查": "auditor",
              "审计": "auditor", "督查": "auditor"}

UNIT_COLUMNS = [
    Column("code", "单位编码", True, ("code",), "唯一编码；已存在的编码将更新该单位", "GXJ-ZC"),
    Column("name", "单位名称", True, ("name",), "全称", "政策法规科"),
    Column("parent_code", "上级单位编码", False, ("parent", "parent_code"),
           "留空表示顶级单位（仅系统管理员）；可引用本文件中的其他单位", "GXJ"),
    Column("kind", "单位类型", False, ("kind",), "局机关 / 内设科室 / 直属单位 / 区县局 / 其他；默认内设科室",
           "内设科室"),
    Column("sort_order", "排序", False, ("sort", "sort_order"), "整数，越小越靠前", "10"),
]

PERSON_COLUMNS = [
    Column("username", "工号", True, ("username", "用户名", "账号"), "登录账号；已存在的工号将更新该人员", "gx0101"),
    Column("name", "姓名", True, ("name",), "", "张明"),
    Column("unit_code", "单位编码", True, ("unit", "unit_code", "所在单位编码"), "须为已存在的单位编码", "GXJ-ZC"),
    Column("position", "职务", False, ("position",), "", "科员"),
    Column("email", "邮箱", False, ("email", "e-mail", "电子邮箱", "邮件地址"),
           "用于接收考试提醒邮件；留空则不修改", "zhangming@example.gov.cn"),
    Column("on_post", "在编在岗", False, ("on_post",), "是 / 否；新增人员默认是", "是"),
    Column("is_enforcement", "执法岗位", False, ("is_enforcement",), "是 / 否；新增人员默认否", "否"),
    Column("is_supervision", "监督岗位", False, ("is_supervision",), "是 / 否；新增人员默认否", "否"),
    Column("is_leader", "领导干部", False, ("is_leader",), "是 / 否；新增人员默认否", "否"),
    Column("roles", "角色", False, ("roles",), "学员 / 单位管理员 / 审计督查 / 系统管理员，多个用顿号或逗号分隔；"
           "新增人员默认学员；单位管理员和审计督查的范围为其所在单位", "学员"),
    Column("active", "状态", False, ("active", "在用"), "在用 / 停用；默认在用", "在用"),
]



@dataclass
class UnitRow:
    row: int
    code: str
    name: str
    parent_code: str
    kind: str | None
    sort_order: int | None


@dataclass
class PersonRow:
    row: int
    username: str
    name: str
    unit_code: str
    position: str | None
    flags: dict[str, bool] = field(default_factory=dict)   # only the flags the file sets
    roles: list[str] | None = None
    active: bool | None = None
    email: str | None = None        # None: the cell was empty, the stored address stays


def _header(columns: list[Column], key: str) -> str:
    return next(c.header for c in columns if c.key == key)


def parse_units(table: Table) -> tuple[list[UnitRow], list[RowError]]:
    rows, errors = [], []
    first_row_of: dict[str, int] = {}
    h = lambda key: _header(UNIT_COLUMNS, key)  # noqa: E731
    for number, cells in table.rows:
        code, name = cells.get("code", ""), cells.get("name", "")
        row_errors = []
        if not CODE_RE.match(code):
            row_errors.append(RowError(number, h("code"), "须为 1–40 位字母、数字或 _ . -" if code else "不能为空"))
        elif code in first_row_of:
            row_errors.append(RowError(number, h("code"), f"与第 {first_row_of[code]} 行重复：{code}"))
        else:
            first_row_of[code] = number
        if not name or len(name) > 120:
            row_errors.append(RowError(number, h("name"), "不能为空，且不超过 120 个字符"))
        kind_text = cells.get("kind", "")
        kind = UNIT_KIND_NAMES.get(kind_text, kind_text if kind_text in UNIT_KIND_LABELS else None)
        if kind_text and kind is None:
            row_errors.append(RowError(number, h("kind"), f"未知类型「{kind_text}」"))
        sort_text = cells.get("sort_order", "")
        sort_order = None
        if sort_text:
            try:
                sort_order = int(sort_text)
            except ValueError:
                row_errors.append(RowError(number, h("sort_order"), f"应为整数，而不是「{sort_text}」"))
        parent_code = cells.get("parent_code", "")
        if parent_code and parent_code == code:
            row_errors.append(RowError(number, h("parent_code"), "不能是本单位自己"))
        errors.extend(row_errors)
        if not row_errors:
            rows.append(UnitRow(number, code, name, parent_code, kind, sort_order))
    return rows, errors


def _split_roles(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"[、,，;；/\s]+", text) if p.strip()]


def parse_people(table: Table) -> tuple[list[PersonRow], list[RowError]]:
    rows, errors = [], []
    first_row_of: dict[str, int] = {}
    h = lambda key: _header(PERSON_COLUMNS, key)  # noqa: E731
    for number, cells in table.rows:
        row_errors = []
        username, name = cells.get("username", ""), cells.get("name", "")
        if not USERNAME_RE.match(username):
            row_errors.append(RowError(number, h("username"),
                                       "须为 2–64 位字母、数字或 _ . -" if username else "不能为空"))
        elif username.lower() in first_row_of:
            row_errors.append(RowError(number, h("username"),
                                       f"与第 {first_row_of[username.lower()]} 行重复：{username}"))
        else:
            first_row_of[username.lower()] = number
        if not name or len(name) > 64:
            row_errors.append(RowError(number, h("name"), "不能为空，且不超过 64 个字符"))
        unit_code = cells.get("unit_code", "")
        if not unit_code:
            row_errors.append(RowError(number, h("unit_code"), "不能为空"))
        position = cells.get("position")
        if position is not None and len(position) > 80:
            row_errors.append(RowError(number, h("position"), "不超过 80 个字符"))
        email = cells.get("email", "").strip() or None
        if email and email_problem(email):
            row_errors.append(RowError(number, h("email"), email_problem(email)))
        flags = {}
        for key in FLAG_KEYS:
            try:
                value = parse_bool(cells.get(key, ""))
            except ValueError as e:
                row_errors.append(RowError(number, h(key), f"{e}，而不是「{cells[key]}」"))
                continue
            if value is not None:
                flags[key] = value
        roles = None
        if cells.get("roles"):
            roles = []
            for part in _split_roles(cells["roles"]):
                role = ROLE_NAMES.get(part, part if part in ROLE_NAMES.values() else None)
                if role is None:
                    row_errors.append(RowError(number, h("roles"), f"未知角色「{part}」"))
                elif role not in roles:
                    roles.append(role)
        active = None
        status = cells.get("active", "")
        if status:
            if status in ("在用", "启用", "正常", "是", "1", "active"):
                active = True
            elif status in ("停用", "禁用", "否", "0", "inactive"):
                active = False
            else:
                row_errors.append(RowError(number, h("active"), f"应填写“在用”或“停用”，而不是「{status}」"))
        errors.extend(row_errors)
        if not row_errors:
            rows.append(PersonRow(number, username, name, unit_code, position, flags, roles, active, email))
    return rows, errors
