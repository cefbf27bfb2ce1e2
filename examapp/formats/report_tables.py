"""The rates report as CSV and Excel. Rows are the report JSON's dicts (DESIGN §4): counts as integers and
rates as fractions, which Excel shows as percentages. No database here."""
import csv
import io
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

# (key, header, is a rate)
COLUMNS = (
    ("expected", "应参考", False), ("exempt", "免考", False),
    ("study_completed", "学时完成", False), ("study_completion_rate", "课时完成率", True),
    ("sat", "参考", False), ("participation_rate", "参考率", True),
    ("passed", "合格", False), ("pass_rate", "合格率", True), ("pass_rate_of_expected", "合格率（占应参考）", True),
    ("excellent", "优秀", False), ("excellence_rate", "优秀率", True),
    ("enforcement_staff", "执法人员", False), ("valid_certificates", "持有效执法证", False),
    ("certificate_rate", "持证率", True),
)
HEADERS = ["单位", *(h for _k, h, _r in COLUMNS), "等次"]


@dataclass
class Sheet:
    title: str
    rows: list[dict]                 # {"name", counts…, rates…, "class"}
    total: dict | None = None


@dataclass
class ReportBook:
    sheets: list[Sheet]
    notes: list[tuple[str, str]] = field(default_factory=list)     # (label, value) for the 说明 sheet


def _cells(row: dict, name: str | None = None) -> list:
    return [name if name is not None else row.get("name", ""), *(row.get(k) for k, _h, _r in COLUMNS),
            row.get("class", "")]


def rates_csv(rows: list[dict], total: dict) -> bytes:
    """UTF-8 with a byte order mark, so Excel opens the Chinese headers; rates as fractions 0..1."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    for row in rows:
        writer.writerow(["" if v is None else v for v in _cells(row)])
    writer.writerow(["" if v is None else v for v in _cells(total, "合计")])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def rates_xlsx(book: ReportBook) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for sheet in book.sheets:
        ws = wb.create_sheet(sheet.title[:31])
        ws.append(HEADERS)
        for cell in ws[1]:
            cell.font = Font(bold=True)
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        for row in sheet.rows:
            ws.append(_cells(row))
        if sheet.total is not None:
            ws.append(_cells(sheet.total, "合计"))
            for cell in ws[ws.max_row]:
                cell.font = Font(bold=True)
        for index, (_key, _header, is_rate) in enumerate(COLUMNS, start=2):
            if is_rate:
                for (cell,) in ws.iter_rows(min_row=2, min_col=index, max_col=index):
                    cell.number_format = "0.0%"
        ws.column_dimensions["A"].width = 30
        for index in range(2, len(HEADERS) + 1):
            ws.column_dimensions[get_column_letter(index)].width = 11
        ws.freeze_panes = "B2"
    if book.notes:
        ws = wb.create_sheet("说明")
        for label, value in book.notes:
            ws.append([label, value])
        ws.column_dimensions["A"].width = 16
        ws.column_dimensions["B"].width = 90
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def remediation_xlsx(title: str, rows: list[list]) -> bytes:
    """整改清单: one row per action (工号, 姓名, 单位, 岗位, 原因, 整改事项, 期限)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "整改清单"
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(["工号", "姓名", "单位", "岗位", "原因", "整改事项", "期限"])
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for row in rows:
        ws.append(row)
    for letter, width in zip("ABCDEFG", (12, 10, 28, 14, 36, 40, 12), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A3"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


__all__ = ["COLUMNS", "HEADERS", "Sheet", "ReportBook", "rates_csv", "rates_xlsx", "remediation_xlsx"]
