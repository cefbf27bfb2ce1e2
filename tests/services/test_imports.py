"""Bulk import: all or nothing, errors that name file, row and column, updates by username."""
import io

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from examapp.extensions import db
from examapp.models import AuditEvent, OrgUnit, User
from examapp.services import imports
from tests.conftest import NOW

HEADER = "工号,姓名,单位编码,职务,执法岗位,角色\n"


def counts():
    return (db.session.scalar(select(func.count()).select_from(User)),
            db.session.scalar(select(func.count()).select_from(OrgUnit)),
            db.session.scalar(select(func.count()).select_from(AuditEvent)))


def people(actor, text: str, name="people.csv", **kw):
    return imports.run("people", actor, name, text.encode("utf-8"), now=NOW, initial_password="Welcome-2026", **kw)


def test_people_are_created_then_updated_never_duplicated(world):
    plan = people(world.admin, HEADER + "n1,赵一,A1,科员,是,学员\nn2,钱二,A2,股长,否,学员、单位管理员\n")
    assert plan.ok and plan.count("create") == 2
    n2 = db.session.scalar(select(User).where(User.username == "n2"))
    assert {r.role: r.scope_unit_id for r in n2.roles} == {"employee": None, "unit_admin": world.a2.id}
    assert n2.must_change_password
    plan = people(world.admin, HEADER + "n1,赵一,A2,副股长,是,学员\nn2,钱二,A2,股长,否,学员、单位管理员\n")
    assert plan.ok and plan.count("update") == 1 and plan.count("unchanged") == 1 and plan.count("create") == 0
    n1 = db.session.scalar(select(User).where(User.username == "n1"))
    assert n1.unit_id == world.a2.id and n1.position == "副股长"
    assert db.session.scalar(select(func.count()).select_from(User).where(User.username.in_(["n1", "n2"]))) == 2
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)).all()
    assert actions == ["user.create", "user.create", "import.people", "user.update", "import.people"]


@pytest.mark.parametrize("text,message", [
    ("姓名,单位编码\n赵一,A1\n", "people.csv：表头有误（缺少必填列：「工号」）"),
    ("工号,名字,单位编码\nn1,赵一,A1\n", "未知列「名字」"),
    (HEADER + "n1,赵一,A1,,,\nn1,钱二,A1,,,\n", "people.csv 第 3 行「工号」列：与第 2 行重复：n1"),
    (HEADER + "n1,赵一,A1,,,\nn2,钱二,ZZZ,,,\n", "people.csv 第 3 行「单位编码」列：单位编码 ZZZ 不存在或不在您的管理范围内"),
    ("", "people.csv：文件为空"),
])
def test_bad_files_write_nothing(world, text, message):
    before = counts()
    plan = people(world.admin, text)
    assert not plan.ok
    assert any(message in m for m in plan.messages()), plan.messages()
    assert counts() == before


def test_random_bytes_named_xlsx(world):
    before = counts()
    plan = imports.run("people", world.admin, "roster.xlsx", bytes(range(256)) * 40, now=NOW,
                       initial_password="Welcome-2026")
    assert plan.messages() == ["roster.xlsx：不是有效的 Excel (.xlsx) 文件"]
    assert counts() == before


def test_unit_admin_cannot_reach_outside_or_grant_admin(world):
    before = counts()
    plan = people(world.unit_admin, HEADER + "n1,赵一,A1,,,学员\nn2,钱二,B,,,学员\nn3,孙三,A1,,,系统管理员\n"
                                              "bperson,王五,A1,,,学员\n")
    text = plan.messages()
    assert "people.csv 第 3 行「单位编码」列：单位编码 B 不存在或不在您的管理范围内" in text
    assert "people.csv 第 4 行「角色」列：无权授予或撤销角色：系统管理员" in text
    assert "people.csv 第 5 行「工号」列：工号 bperson 已被管理范围之外的人员使用" in text
    assert counts() == before


def test_one_bad_row_among_many_writes_nothing(world):
    rows = "".join(f"p{i:05d},人员{i},A1,科员,否,学员\n" for i in range(500))
    before = counts()
    plan = people(world.admin, HEADER + rows + "bad,坏人,NOPE,,,\n")
    assert not plan.ok and len(plan.messages()) == 1 and "第 502 行" in plan.messages()[0]
    assert counts() == before


@pytest.mark.slow
def test_ten_thousand_rows_in_one_transaction(world):
    wb = Workbook()
    wb.active.append(["工号", "姓名", "单位编码", "职务"])
    for i in range(10_000):
        wb.active.append([f"p{i:05d}", f"人员{i}", "A1" if i % 2 else "A2", "科员"])
    data = io.BytesIO()
    wb.save(data)
    steps = list(imports.apply("people", world.admin, "big.xlsx", data.getvalue(), now=NOW,
                               initial_password="Welcome-2026"))
    progress, plan = steps[:-1], steps[-1]
    assert plan.ok and plan.count("create") == 10_000
    assert progress[0] == (250, 10_000) and progress[-1] == (10_000, 10_000)
    assert db.session.scalar(select(func.count()).select_from(User).where(User.username.like("p%"))) == 10_000
    from examapp.services import audit
    assert audit.verify().ok


@pytest.mark.slow
def test_ten_thousand_rows_with_one_error_write_nothing(world):
    lines = "".join(f"p{i:05d},人员{i},A1,,,\n" for i in range(10_000))
    before = counts()
    plan = people(world.admin, HEADER + lines.replace("p09999,人员9999,A1", "p09999,人员9999,XX"))
    assert plan.messages() == ["people.csv 第 10001 行「单位编码」列：单位编码 XX 不存在或不在您的管理范围内"]
    assert counts() == before


def units(actor, text: str):
    return imports.run("units", actor, "units.csv", text.encode("utf-8"), now=NOW)


def test_units_in_any_order_with_moves(world):
    plan = units(world.admin, "单位编码,单位名称,上级单位编码,单位类型\n"
                              "C1,丙一股,C,内设科室\nC,丙区局,R,区县局\nA2,甲区工业股,B,\n")
    assert plan.ok, plan.messages()
    by_code = {u.code: u for u in db.session.scalars(select(OrgUnit))}
    assert by_code["C1"].path == f"{by_code['C'].path}{by_code['C1'].id}/"
    assert by_code["A2"].path == f"{by_code['B'].path}{by_code['A2'].id}/"
    assert by_code["C"].kind == "district"


def test_unit_cycles_and_unknown_parents(world):
    before = counts()
    plan = units(world.admin, "单位编码,单位名称,上级单位编码\nX,X,Y\nY,Y,X\nZ,Z,NOPE\n")
    text = plan.messages()
    assert any("上级关系形成循环" in t for t in text)
    assert "units.csv 第 4 行「上级单位编码」列：上级单位编码 NOPE 不存在" in text
    assert counts() == before


def test_unit_admin_cannot_create_top_level_units(world):
    plan = units(world.unit_admin, "单位编码,单位名称,上级单位编码\nTOP,顶级,\n")
    assert "units.csv 第 2 行「上级单位编码」列：只有系统管理员可以创建顶级单位，请填写上级单位编码" in plan.messages()
