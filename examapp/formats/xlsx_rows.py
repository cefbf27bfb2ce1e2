"""The cell values of an .xlsx file's first worksheet, streamed from the sheet XML.

openpyxl's read-only mode builds a dict per cell and costs ~10 µs a cell (a 50,000-row roster: 6 s);
this reads the same XML with `iterparse` and returns the values openpyxl's
`load_workbook(read_only=True, data_only=True)` + `iter_rows(values_only=True)` returns: shared strings and
inline strings as text, numbers as int or float, booleans, cached formula results, ISO dates (t="d"), and
numbers in a date or time format as datetime / timedelta. Rows and columns missing from the XML are
filled with None, so the row numbers stay those the spreadsheet shows. openpyxl still writes the files.
"""
import posixpath
import re
import zipfile
from collections.abc import Iterator
from xml.etree.ElementTree import fromstring, iterparse

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.cell import column_index_from_string
from openpyxl.utils.datetime import CALENDAR_MAC_1904, WINDOWS_EPOCH, from_excel, from_ISO8601

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
STRICT_MAIN = "{http://purl.oclc.org/ooxml/spreadsheetml/main}"
PKG_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
DOC_RELS = ("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}",
            "{http://purl.oclc.org/ooxml/officeDocument/relationships}")
_COORD = re.compile(r"([A-Z]{1,3})(\d*)$")


class NotWorkbook(Exception):
    """The zip is not an .xlsx workbook (a part it must have is missing)."""


class Damaged(Exception):
    """A part of the workbook cannot be read."""


def _rels(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """{relationship id: (type suffix, target path inside the zip)} of a part."""
    folder, name = posixpath.split(part)
    rels_path = posixpath.join(folder, "_rels", name + ".rels")
    try:
        root = fromstring(archive.read(rels_path))
    except KeyError:
        return {}
    out = {}
    for rel in root.iter(f"{PKG_RELS}Relationship"):
        target = rel.get("Target", "")
        if rel.get("TargetMode") == "External":
            continue
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        out[rel.get("Id", "")] = (rel.get("Type", "").rsplit("/", 1)[-1], path)
    return out


def _find(root, name: str):
    for ns in (MAIN, STRICT_MAIN):
        found = root.find(f"{ns}{name}")
        if found is not None:
            return found, ns
    return None, MAIN


def _text(node, ns: str) -> str:
    """A string item (<si> or <is>): its plain <t>, then the <t> of its runs; phonetic runs left out."""
    parts = []
    t = node.find(f"{ns}t")
    if t is not None and t.text:
        parts.append(t.text)
    for run in node.iterfind(f"{ns}r"):
        rt = run.find(f"{ns}t")
        if rt is not None and rt.text:
            parts.append(rt.text)
    return "".join(parts)


def _shared_strings(archive: zipfile.ZipFile, path: str | None) -> list[str]:
    if path is None:
        return []
    strings = []
    with archive.open(path) as src:
        for _event, node in iterparse(src):
            tag = node.tag
            if tag == f"{MAIN}si" or tag == f"{STRICT_MAIN}si":
                ns = MAIN if tag.startswith(MAIN) else STRICT_MAIN
                strings.append(_text(node, ns).replace("x005F_", ""))   # as openpyxl's read_string_table
                node.clear()
    return strings


def _styles(archive: zipfile.ZipFile, path: str | None) -> tuple[set[int], set[int]]:
    """The indexes of the cell formats that show a date or time, and those that show a duration."""
    dates, durations = set(), set()
    if path is None:
        return dates, durations
    root = fromstring(archive.read(path))
    num_fmts, ns = _find(root, "numFmts")
    custom = {}
    if num_fmts is not None:
        for fmt in num_fmts.iterfind(f"{ns}numFmt"):
            custom[int(fmt.get("numFmtId", "0"))] = fmt.get("formatCode", "")
    xfs, ns = _find(root, "cellXfs")
    if xfs is not None:
        for idx, xf in enumerate(xfs.iterfind(f"{ns}xf")):
            fmt_id = int(xf.get("numFmtId", "0"))
            fmt = custom.get(fmt_id) if fmt_id in custom else BUILTIN_FORMATS.get(fmt_id)
            if fmt is None:
                continue
            if is_date_format(fmt):
                dates.add(idx)
            if is_timedelta_format(fmt):
                durations.add(idx)
    return dates, durations


def first_sheet_rows(data) -> Iterator[list]:
    """Open the workbook (NotWorkbook, Damaged, zipfile.BadZipFile) and return an iterator of its first
    worksheet's rows; errors while iterating come from the sheet XML itself."""
    archive = zipfile.ZipFile(data)
    try:
        root_rels = _rels(archive, "")
        book_path = next((p for kind, p in root_rels.values() if kind == "officeDocument"), "xl/workbook.xml")
        if book_path not in archive.NameToInfo:
            raise NotWorkbook(book_path)
        book = fromstring(archive.read(book_path))
        rels = _rels(archive, book_path)
        sheets, ns = _find(book, "sheets")
        sheet_path = None
        for sheet in (sheets if sheets is not None else ()):
            rid = next((sheet.get(f"{r}id") for r in DOC_RELS if sheet.get(f"{r}id")), None)
            kind, path = rels.get(rid, ("", ""))
            if kind == "worksheet":
                sheet_path = path
                break
        if sheet_path is None or sheet_path not in archive.NameToInfo:
            raise NotWorkbook("no worksheet")
        props, _ = _find(book, "workbookPr")
        date1904 = props is not None and props.get("date1904", "").lower() in ("1", "true")
        by_kind = {kind: path for kind, path in reversed(list(rels.values())) if path in archive.NameToInfo}
        strings = _shared_strings(archive, by_kind.get("sharedStrings"))
        dates, durations = _styles(archive, by_kind.get("styles"))
    except (NotWorkbook, zipfile.BadZipFile):
        archive.close()
        raise
    except Exception as e:  # zlib, XML, a bad number in a part: the file is damaged
        archive.close()
        raise Damaged(str(e)) from e
    return _sheet_rows(archive, sheet_path, strings, dates, durations,
                       CALENDAR_MAC_1904 if date1904 else WINDOWS_EPOCH)


def _sheet_rows(archive, path, strings, dates, durations, epoch) -> Iterator[list]:
    columns: dict[str, int] = {}
    row_tags = {f"{MAIN}row", f"{STRICT_MAIN}row"}
    try:
        with archive.open(path) as src:
            ns, row_no = MAIN, 0
            for _event, node in iterparse(src):
                if node.tag not in row_tags:
                    continue
                ns = node.tag[:-3]
                c_tag, v_tag, is_tag, t_tag = f"{ns}c", f"{ns}v", f"{ns}is", f"{ns}t"
                number = node.get("r")
                number = int(number) if number else row_no + 1
                if number <= row_no:                 # a row repeated or out of order: skipped, as openpyxl does
                    node.clear()
                    continue
                while row_no + 1 < number:           # rows the XML leaves out are empty rows
                    row_no += 1
                    yield []
                row_no = number
                values: list = []
                col = 0
                for cell in node:
                    if cell.tag != c_tag:
                        continue
                    ref = cell.get("r")
                    if ref:
                        letters = ref.rstrip("0123456789")
                        col = columns.get(letters)
                        if col is None:
                            if not _COORD.match(ref):
                                raise ValueError(f"cell reference {ref}")
                            col = columns[letters] = column_index_from_string(letters)
                    else:
                        col += 1
                    kind = cell.get("t", "n")
                    if kind == "inlineStr":
                        inline = cell.find(is_tag)
                        if inline is None:
                            value = None
                        elif len(inline) == 1 and inline[0].tag == t_tag:   # plain text, no runs
                            value = inline[0].text or ""
                        else:
                            value = _text(inline, ns)
                    else:
                        value = cell.findtext(v_tag) or None
                        if value is not None:
                            if kind == "n":
                                value = float(value) if ("." in value or "E" in value or "e" in value) \
                                    else int(value)
                                style = cell.get("s")
                                if style and int(style) in dates:
                                    try:
                                        value = from_excel(value, epoch, timedelta=int(style) in durations)
                                    except (OverflowError, ValueError):
                                        value = "#VALUE!"
                            elif kind == "s":
                                value = strings[int(value)]
                            elif kind == "b":
                                value = bool(int(value))
                            elif kind == "d":
                                value = from_ISO8601(value)
                            # "str" (a formula's text) and "e" (an error such as #N/A): the text as it is
                    if col > len(values):
                        values.extend([None] * (col - 1 - len(values)))
                        values.append(value)
                    else:                            # a cell given twice: the later one wins, as in openpyxl
                        values[col - 1] = value
                node.clear()
                yield values
    except Exception as e:  # XML, zlib, a bad number or string index: the sheet is damaged
        raise Damaged(str(e)) from e
    finally:
        archive.close()
