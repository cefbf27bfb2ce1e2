"""Reading a spreadsheet (.xlsx or .csv) into header-keyed rows, and writing templates."""
import csv
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import PurePath

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from .text import NotText, decode_text
from .xlsx_rows import NotWorkbook, first_sheet_rows

IGNORED_HEADERS = {"序号", "备注", "no", "remark", "remarks"}


class FileError(Exception):
    """The file as a whole cannot be read; the message names the file."""


@dataclass(frozen=True)
class Column:
    key: str
    header: str                    # the Chinese header of the template
    required: bool = False
    aliases: tuple[str, ...] = ()
    help: str = ""
    example: str = ""


@dataclass
class RowError:
    row: int          # the row number as the spreadsheet shows it (the header is row 1)
    column: str       # the column header, "" for the whole row
    message: str

    def __str__(self) -> str:
        where = f"第 {self.row} 行" + (f"「{self.column}」列" if self.column else "")
        return f"{where}：{self.message}"


@dataclass
class Table:
    filename: str
    columns: list[Column]                      # the known columns present, in file order
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)


def _norm(header: str) -> str:
    return header.replace("*", "").replace("＊", "").replace(" ", "").replace("\u3000", "").strip().lower()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _raw_rows(filename: str, data: bytes) -> list[list[str]]:
    suffix = PurePath(filename).suffix.lower()
    if not data.strip():
        raise FileError(f"{filename}：文件为空")
    if suffix == ".xlsx":
        # the first worksheet streamed from its XML (xlsx_rows): openpyxl's read-only cells cost 10 × more
        try:
            rows = first_sheet_rows(io.BytesIO(data))
        except (zipfile.BadZipFile, NotWorkbook, KeyError, OSError, ValueError, EOFError) as e:
            raise FileError(f"{filename}：不是有效的 Excel (.xlsx) 文件") from e
        except Exception as e:  # a damaged part inside the zip: zlib, XML
            raise FileError(f"{filename}：Excel 文件已损坏，无法读取") from e
        try:
            return [[_cell_text(v) for v in row] for row in rows]
        except Exception as e:  # a damaged sheet inside a valid zip
            raise FileError(f"{filename}：Excel 文件内容已损坏，无法读取") from e
    if suffix == ".csv":
        try:
            text = decode_text(data)
        except NotText as e:
            raise FileError(f"{filename}：{e.reason}") from e
        try:
            return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]
        except csv.Error as e:
            raise FileError(f"{filename}：CSV 格式有误（{e}）") from e
    raise FileError(f"{filename}：只支持 .xlsx 和 .csv 文件")


def read_table(filename: str, data: bytes, columns: list[Column]) -> Table:
    """Rows keyed by column key. Raises FileError for a header that does not fit `columns`."""
    raw = _raw_rows(filename, data)
    while raw and not any(raw[-1]):
        raw.pop()
    if not raw or not any(raw[0]):
        raise FileError(f"{filename}：第 1 行应为表头，但为空")
    lookup = {}
    for col in columns:
        for name in (col.header, col.key, *col.aliases):
            lookup[_norm(name)] = col
    present: list[Column | None] = []
    seen: set[str] = set()
    problems = []
    for header in raw[0]:
        key = _norm(header)
        if not key or key in IGNORED_HEADERS:
            present.append(None)
            continue
        col = lookup.get(key)
        if col is None:
            problems.append(f"未知列「{header}」")
        elif col.key in seen:
            problems.append(f"列「{header}」重复")
        else:
            seen.add(col.key)
        present.append(col)
    missing = [c.header for c in columns if c.required and c.key not in seen]
    if missing:
        problems.append("缺少必填列：" + "、".join(f"「{m}」" for m in missing))
    if problems:
        expected = "、".join(c.header for c in columns)
        raise FileError(f"{filename}：表头有误（{'；'.join(problems)}）。应包含的列：{expected}")
    table = Table(filename, [c for c in present if c is not None])
    for number, values in enumerate(raw[1:], start=2):
        if not any(values):
            continue
        row = {}
        for col, value in zip(present, values, strict=False):
            if col is not None:
                row[col.key] = value
        table.rows.append((number, row))
    if not table.rows:
        raise FileError(f"{filename}：只有表头，没有数据行")
    return table


def template_xlsx(title: str, columns: list[Column]) -> bytes:
    """An import template: Chinese headers (required ones marked *), an example row, a help sheet."""
    wb = Workbook()
    ws = wb.active
    ws.title = title
    ws.append([c.header + ("*" if c.required else "") for c in columns])
    ws.append([c.example for c in columns])
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for cell in ws[1]:
        cell.font, cell.fill = bold, fill
    for i, c in enumerate(columns, start=1):
        ws.column_dimensions[ws.cell(1, i).column_letter].width = max(12, len(c.header) * 3)
    ws.freeze_panes = "A2"
    notes = wb.create_sheet("填写说明")
    notes.append(["列", "必填", "说明"])
    for c in columns:
        notes.append([c.header, "是" if c.required else "否", c.help])
    for cell in notes[1]:
        cell.font = bold
    notes.column_dimensions["C"].width = 80
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def template_csv(columns: list[Column]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.header for c in columns])
    writer.writerow([c.example for c in columns])
    return out.getvalue().encode("utf-8-sig")


BOOL_TRUE = {"是", "y", "yes", "true", "1", "√", "t"}
BOOL_FALSE = {"否", "n", "no", "false", "0", "×", "f"}


def parse_bool(text: str) -> bool | None:
    """True/False for the usual spellings; None for an empty cell; ValueError otherwise."""
    value = text.strip().lower()
    if not value:
        return None
    if value in BOOL_TRUE:
        return True
    if value in BOOL_FALSE:
        return False
    raise ValueError("应填写“是”或“否”")


Parser = Callable[[str], object]
