"""The streamed .xlsx reader returns what openpyxl's read-only reader returned, and names damaged files."""
import io
import zipfile
from datetime import date, datetime, time, timedelta

import pytest
from openpyxl import Workbook, load_workbook

from examapp.formats.roster import PERSON_COLUMNS
from examapp.formats.tabular import FileError, _cell_text, read_table
from examapp.formats.xlsx_rows import first_sheet_rows


def openpyxl_rows(data: bytes) -> list[list]:
    """The values as tabular read them before (openpyxl, read-only, values only)."""
    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        return [list(row) for row in wb.worksheets[0].iter_rows(values_only=True)]
    finally:
        wb.close()


def trimmed(rows: list[list]) -> list[list]:
    """Rows without trailing empty cells, and no trailing empty rows (openpyxl pads to the sheet's dimension)."""
    out = []
    for row in rows:
        row = list(row)
        while row and row[-1] is None:
            row.pop()
        out.append(row)
    while out and not out[-1]:
        out.pop()
    return out


def assert_same_as_openpyxl(data: bytes) -> list[list]:
    mine = trimmed(list(first_sheet_rows(io.BytesIO(data))))
    theirs = trimmed(openpyxl_rows(data))
    assert mine == theirs
    assert [[type(v) for v in row] for row in mine] == [[type(v) for v in row] for row in theirs]
    assert [[_cell_text(v) for v in row] for row in mine] == [[_cell_text(v) for v in row] for row in theirs]
    return mine


def saved(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_a_workbook_as_excel_saves_it_shared_strings_numbers_dates_gaps():
    wb = Workbook()
    ws = wb.active
    ws.title = "人员"
    ws.append(["工号", "姓名", "单位编码", "入职日期", "分数", "在岗"])
    ws.append(["u1", "  张三 ", 1001, datetime(2024, 3, 1), 88.5, True])
    ws.append(["u2", "李四", "A-01", date(2023, 12, 31), 1e20, False])
    ws["B6"] = "隔了两行"                       # rows 4 and 5 missing from the XML
    ws["F6"] = datetime(2026, 11, 27, 8, 30, 15)
    ws["D7"] = time(9, 45)
    ws["A8"] = "=1+1"                           # a formula without a cached value
    ws["C9"] = -0.25
    wb.create_sheet("第二页")["A1"] = "不读"
    rows = assert_same_as_openpyxl(saved(wb))
    assert rows[1][:3] == ["u1", "  张三 ", 1001] and rows[1][3] == datetime(2024, 3, 1)
    assert rows[3] == [] and rows[4] == [] and rows[5][1] == "隔了两行"


def test_a_write_only_workbook_inline_strings():
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("人员")
    ws.append(["工号", "姓名", "邮箱", "编号"])
    ws.append(["b7p000001", "王伟", "", 12])
    ws.append(["b7p000002", "", None, 3.0])
    rows = assert_same_as_openpyxl(saved(wb))
    assert rows[1] == ["b7p000001", "王伟", None, 12]      # an empty string is written as no value


MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


def package(sheet_data: str, *, shared: str | None = None, styles: str | None = None, date1904: bool = False,
            sheet: str | None = None) -> bytes:
    """A minimal .xlsx with hand-written parts."""
    types = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
             'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
             'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override '
             'PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
             'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType='
             '"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
             + ('<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
                'officedocument.spreadsheetml.sharedStrings+xml"/>' if shared is not None else "")
             + ('<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
                'officedocument.spreadsheetml.styles+xml"/>' if styles is not None else "")
             + "</Types>")
    root_rels = (f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}"><Relationship Id="rId1" '
                 f'Type="{RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    book = (f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{RELS}">'
            + ('<workbookPr date1904="1"/>' if date1904 else "")
            + '<sheets><sheet name="人员" sheetId="1" r:id="rId1"/></sheets></workbook>')
    book_rels = (f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}">'
                 f'<Relationship Id="rId1" Type="{RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
                 + (f'<Relationship Id="rId2" Type="{RELS}/sharedStrings" Target="sharedStrings.xml"/>'
                    if shared is not None else "")
                 + (f'<Relationship Id="rId3" Type="{RELS}/styles" Target="/xl/styles.xml"/>'
                    if styles is not None else "")
                 + "</Relationships>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", types)
        z.writestr("_rels/.rels", root_rels)
        z.writestr("xl/workbook.xml", book)
        z.writestr("xl/_rels/workbook.xml.rels", book_rels)
        z.writestr("xl/worksheets/sheet1.xml", sheet if sheet is not None else
                   f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>{sheet_data}'
                   f'</sheetData></worksheet>')
        if shared is not None:
            z.writestr("xl/sharedStrings.xml", f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">'
                                               f'{shared}</sst>')
        if styles is not None:
            z.writestr("xl/styles.xml", f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{MAIN}">'
                                        f'{styles}</styleSheet>')
    return out.getvalue()


STYLES = ('<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/>'
          '<numFmt numFmtId="165" formatCode="[h]:mm"/></numFmts>'
          '<fonts count="1"><font><sz val="11"/></font></fonts>'
          '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
          '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
          '<cellStyleXfs count="1"><xf numFmtId="0"/></cellStyleXfs>'
          '<cellXfs count="5"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="165"/>'
          '<xf numFmtId="49"/></cellXfs>')


def test_hand_written_parts_rich_text_runs_types_and_missing_references():
    shared = ('<si><t>工号</t></si>'
              '<si><r><t>张</t></r><r><rPr><b/></rPr><t xml:space="preserve">三 </t></r><rPh sb="0" eb="1"><t>ちょう'
              '</t></rPh></si>'
              '<si><t xml:space="preserve">  前后空格  </t></si>'
              '<si><t>a_x005F_x000D_b</t></si>'
              '<si><t/></si>')
    rows = ('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c>'
            '<c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v>4</v></c></row>'
            '<row r="3"><c r="B3" t="inlineStr"><is><r><t>行</t></r><r><t>内</t></r></is></c>'
            '<c r="C3" t="str"><f>A1&amp;"x"</f><v>工号x</v></c><c r="D3" t="e"><v>#N/A</v></c>'
            '<c r="E3" t="b"><v>1</v></c><c r="F3" t="d"><v>2026-11-27T08:00:00</v></c></row>'
            '<row><c><v>1.5E3</v></c><c><v>-7</v></c><c s="1"><v>45000</v></c><c s="2"><v>45000.5</v></c>'
            '<c s="3"><v>1.25</v></c><c s="4"><v>0012</v></c></row>'
            '<row r="6"><c r="C6" t="inlineStr"/><c r="D6"/><c r="AA6"><v>3</v></c></row>')
    got = assert_same_as_openpyxl(package(rows, shared=shared, styles=STYLES))
    assert got[0] == ["工号", "张三 ", "  前后空格  ", "a_x000D_b", ""]
    assert got[1] == [] and got[2][1:3] == ["行内", "工号x"]
    assert got[3][0] == 1500.0 and isinstance(got[3][2], datetime)
    assert got[4] == [] and len(got[5]) == 27 and got[5][2] is None


def test_dates_in_a_1904_workbook():
    rows = '<row r="1"><c r="A1" s="1"><v>0</v></c><c r="B1" s="1"><v>40000</v></c></row>'
    got = assert_same_as_openpyxl(package(rows, styles=STYLES, date1904=True))
    assert got[0][1] == datetime(1904, 1, 1) + timedelta(days=40000)   # not the 1900 calendar's day


def test_read_table_reads_the_streamed_sheet_with_spreadsheet_row_numbers():
    rows = ('<row r="1"><c r="A1" t="inlineStr"><is><t>工号</t></is></c><c r="B1" t="inlineStr"><is><t>姓名</t></is>'
            '</c><c r="C1" t="inlineStr"><is><t>单位编码</t></is></c></row>'
            '<row r="4"><c r="A4" t="inlineStr"><is><t>u1</t></is></c><c r="B4" t="inlineStr"><is><t> 甲 </t></is></c>'
            '<c r="C4"><v>1001</v></c></row>')
    table = read_table("p.xlsx", package(rows), PERSON_COLUMNS)
    assert table.rows == [(4, {"username": "u1", "name": "甲", "unit_code": "1001"})]


def damaged_sheet() -> bytes:
    """The sheet XML ends in the middle of a row."""
    return package("", sheet=f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1"><v>1</v></c></row>'
                             '<row r="2"><c r="A2"')


def damaged_zip_member() -> bytes:
    """A valid zip directory whose shared strings part does not inflate."""
    data = bytearray(package('<row r="1"><c r="A1" t="s"><v>0</v></c></row>', shared="<si><t>工号</t></si>" * 200))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as z:
        info = z.getinfo("xl/sharedStrings.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for i in range(start + 5, start + 25):
        data[i] ^= 0x5A
    return bytes(data)


def no_workbook() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("word/document.xml", "<w/>")
    return out.getvalue()


@pytest.mark.parametrize("make,message", [
    (damaged_sheet, "p.xlsx：Excel 文件内容已损坏，无法读取"),
    (damaged_zip_member, "p.xlsx：Excel 文件已损坏，无法读取"),
    (no_workbook, "p.xlsx：不是有效的 Excel (.xlsx) 文件"),
    (lambda: package('<row r="1"><c r="A1" t="s"><v>7</v></c></row>', shared="<si><t>x</t></si>"),
     "p.xlsx：Excel 文件内容已损坏，无法读取"),         # a shared string index past the table
])
def test_damaged_files_are_named_with_the_problem(make, message):
    with pytest.raises(FileError) as e:
        read_table("p.xlsx", make(), PERSON_COLUMNS)
    assert str(e.value) == message
