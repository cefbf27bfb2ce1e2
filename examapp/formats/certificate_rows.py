"""Existing certificates from a spreadsheet: parsed into rows with per-row errors (no database)."""
import re
from dataclasses import dataclass
from datetime import date

from ..domain.certificates import STATUS_LABELS, TYPES
from .tabular import Column, RowError, read_table

CERT_COLUMNS = [
    Column("number", "证号", required=True, aliases=("证件编号", "编号"), example="ZF-A1-2024-00001",
           help="证件编号，不能与已有证件重复"),
    Column("username", "工号", required=True, aliases=("持证人工号", "username"), example="zhangsan",
           help="持证人的工号，须已在人员名单中"),
    Column("type", "类型", required=True, aliases=("证件类型",), example="执法", help="执法 或 监督"),
    Column("issued_on", "发证日期", required=True, example="2024-03-15", help="如 2024-03-15"),
    Column("expires_on", "有效期至", required=True, aliases=("有效期", "到期日期"), example="2029-03-15",
           help="如 2029-03-15，不能早于发证日期"),
    Column("status", "状态", aliases=("证件状态",), example="有效",
           help="可空：有效、已过期、暂扣、已吊销、已收回、已注销、已挂失；空则按有效期判断"),
    Column("area", "执法区域", aliases=("执法类别", "区域"), example="无线电管理", help="可空"),
]

# the file's spellings of a type and a status
TYPE_NAMES = {**{t.short: t.code for t in TYPES.values()}, **{t.label: t.code for t in TYPES.values()},
              **{t.code.lower(): t.code for t in TYPES.values()}}
IMPORT_STATUSES = ("valid", "expired", "suspended", "revoked", "recalled", "cancelled", "lost")
STATUS_NAMES = {**{STATUS_LABELS[s]: s for s in IMPORT_STATUSES}, **{s: s for s in IMPORT_STATUSES},
                "暂扣中": "suspended", "吊销": "revoked", "收回": "recalled", "注销": "cancelled", "挂失": "lost",
                "过期": "expired"}

_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[T ]00:00(?::00)?)?$")


@dataclass
class CertRow:
    row: int
    number: str
    username: str
    type: str
    issued_on: date
    expires_on: date
    status: str | None
    area: str


def parse_date(text: str) -> date:
    m = _DATE.match(text.strip())
    if not m:
        raise ValueError(f"日期「{text}」无法识别，请写成 2024-03-15")
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise ValueError(f"日期「{text}」不存在") from None


def parse_certificates(filename: str, data: bytes) -> tuple[list[CertRow], list[RowError]]:
    """Rows and errors; FileError when the file or its header cannot be read."""
    table = read_table(filename, data, CERT_COLUMNS)
    h = {c.key: c.header for c in CERT_COLUMNS}
    rows, errors = [], []
    for number, values in table.rows:
        problems = []
        cert_no = values.get("number", "").strip()
        if not cert_no:
            problems.append(RowError(number, h["number"], "证号不能为空"))
        elif len(cert_no) > 40:
            problems.append(RowError(number, h["number"], "证号不能超过 40 个字符"))
        username = values.get("username", "").strip()
        if not username:
            problems.append(RowError(number, h["username"], "工号不能为空"))
        type_text = values.get("type", "").strip()
        cert_type = TYPE_NAMES.get(type_text.lower() if type_text.isascii() else type_text)
        if cert_type is None:
            problems.append(RowError(number, h["type"], f"类型「{type_text}」应为“执法”或“监督”"))
        dates = {}
        for key in ("issued_on", "expires_on"):
            text = values.get(key, "").strip()
            if not text:
                problems.append(RowError(number, h[key], f"{h[key]}不能为空"))
                continue
            try:
                dates[key] = parse_date(text)
            except ValueError as e:
                problems.append(RowError(number, h[key], str(e)))
        if len(dates) == 2 and dates["expires_on"] < dates["issued_on"]:
            problems.append(RowError(number, h["expires_on"], "有效期至早于发证日期"))
        status_text = values.get("status", "").strip()
        status = None
        if status_text:
            status = STATUS_NAMES.get(status_text.lower() if status_text.isascii() else status_text)
            if status is None:
                problems.append(RowError(number, h["status"], f"状态「{status_text}」无法识别，应为：" +
                                         "、".join(STATUS_LABELS[s] for s in IMPORT_STATUSES)))
        area = values.get("area", "").strip()
        if len(area) > 200:
            problems.append(RowError(number, h["area"], "执法区域不能超过 200 个字符"))
        if problems:
            errors.extend(problems)
            continue
        rows.append(CertRow(number, cert_no, username, cert_type, dates["issued_on"], dates["expires_on"], status, area))
    return rows, errors


__all__ = ["CERT_COLUMNS", "CertRow", "parse_certificates", "parse_date"]
