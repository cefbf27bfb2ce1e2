import io

import pytest
from openpyxl import Workbook, load_workbook

from examapp.formats.roster import PERSON_COLUMNS, UNIT_COLUMNS, parse_people, parse_units
from examapp.formats.tabular import FileError, read_table, template_csv, template_xlsx


def xlsx(rows) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def csv_bytes(text: str, encoding="utf-8-sig") -> bytes:
    return text.encode(encoding)


def test_xlsx_rows_keyed_by_column_with_spreadsheet_row_numbers():
    data = xlsx([["工号*", "姓名", "单位编码"], ["u1", "甲", "A"], [None, None, None], ["u2", "乙", 1001]])
    table = read_table("p.xlsx", data, PERSON_COLUMNS)
    assert [n for n, _ in table.rows] == [2, 4]
    assert table.rows[1][1]["unit_code"] == "1001"  # a number typed into Excel is still a code


def test_gbk_csv_from_chinese_excel():
    table = read_table("p.csv", csv_bytes("工号,姓名,单位编码\nu1,张三,A\n", "gbk"), PERSON_COLUMNS)
    assert table.rows[0][1]["name"] == "张三"


def test_english_headers_are_accepted():
    table = read_table("p.csv", csv_bytes("username,name,unit\nu1,A,B\n"), PERSON_COLUMNS)
    assert table.rows[0][1] == {"username": "u1", "name": "A", "unit_code": "B"}


@pytest.mark.parametrize("name,data,message", [
    ("p.csv", b"", "p.csv：文件为空"),
    ("p.csv", b"   \n", "p.csv：文件为空"),
    ("p.xlsx", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "p.xlsx：不是有效的 Excel (.xlsx) 文件"),
    ("p.txt", b"a,b", "p.txt：只支持 .xlsx 和 .csv 文件"),
    ("p.csv", "工号,姓名,单位编码\n".encode(), "p.csv：只有表头，没有数据行"),
    ("p.csv", "工号,姓名\nu1,张三\n".encode(), "缺少必填列：「单位编码」"),
    ("p.csv", "工号,姓名,单位编码,生日\nu1,张三,A,1990\n".encode(), "未知列「生日」"),
    ("p.csv", "工号,姓名,单位编码,姓名\nu1,张三,A,x\n".encode(), "列「姓名」重复"),
    ("p.csv", b"\xff\xfe\x00\x00garbage\x00", "p.csv："),
])
def test_file_errors_name_the_file_and_the_problem(name, data, message):
    with pytest.raises(FileError) as e:
        read_table(name, data, PERSON_COLUMNS)
    assert message in str(e.value)


def test_people_rows_errors_name_row_and_column():
    data = csv_bytes("工号,姓名,单位编码,执法岗位,角色,状态\n"
                     "u1,张三,A,是,学员,在用\n"
                     "u1,李四,A,否,,\n"
                     "bad name,王五,A,也许,超级管理员,离职\n"
                     "u3,,,,,\n")
    rows, errors = parse_people(read_table("p.csv", data, PERSON_COLUMNS))
    text = [str(e) for e in errors]
    assert "第 3 行「工号」列：与第 2 行重复：u1" in text
    assert any(t.startswith("第 4 行「工号」列") for t in text)
    assert "第 4 行「执法岗位」列：应填写“是”或“否”，而不是「也许」" in text
    assert "第 4 行「角色」列：未知角色「超级管理员」" in text
    assert any(t.startswith("第 4 行「状态」列") for t in text)
    assert "第 5 行「姓名」列：不能为空，且不超过 64 个字符" in text
    assert "第 5 行「单位编码」列：不能为空" in text
    assert [r.username for r in rows] == ["u1"]
    assert rows[0].flags == {"is_enforcement": True} and rows[0].roles == ["employee"] and rows[0].active


def test_unit_rows():
    data = csv_bytes("单位编码,单位名称,上级单位编码,单位类型,排序\nA,甲,R,区县局,1\nB,乙,B,科室,x\n")
    rows, errors = parse_units(read_table("u.csv", data, UNIT_COLUMNS))
    assert rows[0].kind == "district" and rows[0].sort_order == 1
    assert {str(e) for e in errors} == {"第 3 行「排序」列：应为整数，而不是「x」", "第 3 行「上级单位编码」列：不能是本单位自己"}


def test_templates_have_chinese_headers_and_read_back():
    wb = load_workbook(io.BytesIO(template_xlsx("人员导入", PERSON_COLUMNS)))
    assert [c.value for c in wb.active[1]][:3] == ["工号*", "姓名*", "单位编码*"]
    assert wb.sheetnames[1] == "填写说明"
    table = read_table("t.xlsx", template_xlsx("人员导入", PERSON_COLUMNS), PERSON_COLUMNS)
    assert table.rows[0][1]["username"] == "gx0101"
    assert read_table("t.csv", template_csv(UNIT_COLUMNS), UNIT_COLUMNS).rows[0][1]["code"] == "GXJ-ZC"
