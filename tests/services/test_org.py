import pytest
from sqlalchemy import select

from examapp.errors import Conflict, NotFound, PermissionDenied, ValidationError
from examapp.extensions import db
from examapp.models import AuditEvent, OrgUnit
from examapp.services import org
from tests.conftest import NOW, make_unit


def paths():
    return {u.code: u.path for u in db.session.execute(select(OrgUnit)).scalars()}


def test_create_gives_a_path_below_the_parent_and_is_audited(world):
    unit = org.create_unit(world.admin, code="A1X", name="甲区新股", kind="department", parent_id=world.a1.id, now=NOW)
    assert unit.path == f"{world.a1.path}{unit.id}/" and unit.depth == 3
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "unit.create")).one()
    assert event.object_id == str(unit.id) and event.actor_name == "admin"


def test_duplicate_code_is_refused(world):
    with pytest.raises(Conflict):
        org.create_unit(world.admin, code="A1", name="x", kind="department", parent_id=world.a.id, now=NOW)


def test_moving_a_subtree_rewrites_every_path(world):
    deep = make_unit("A1D", "深层", world.a1)
    deeper = make_unit("A1DD", "更深", deep)
    org.move_unit(world.admin, world.a1.id, new_parent_id=world.b.id, now=NOW)
    db.session.expire_all()
    p = paths()
    assert p["A1"] == f"{p['B']}{world.a1.id}/"
    assert p["A1D"] == f"{p['A1']}{deep.id}/"
    assert p["A1DD"] == f"{p['A1D']}{deeper.id}/"
    assert db.session.get(OrgUnit, deeper.id).depth == 4
    assert p["A2"].startswith(p["A"])  # the sibling stays


def test_a_unit_cannot_move_below_itself(world):
    with pytest.raises(ValidationError):
        org.move_unit(world.admin, world.a.id, new_parent_id=world.a1.id, now=NOW)


def test_unit_admin_stays_inside_the_subtree(world):
    with pytest.raises(NotFound):
        org.move_unit(world.unit_admin, world.a1.id, new_parent_id=world.b.id, now=NOW)
    with pytest.raises(PermissionDenied):
        org.move_unit(world.unit_admin, world.a.id, new_parent_id=world.root.id, now=NOW)
    with pytest.raises(PermissionDenied):
        org.create_unit(world.unit_admin, code="TOP", name="顶级", kind="bureau", parent_id=None, now=NOW)
    org.move_unit(world.unit_admin, world.a2.id, new_parent_id=world.a1.id, now=NOW)


def test_deactivation_needs_an_empty_unit(world):
    with pytest.raises(Conflict, match="在用人员"):
        org.set_unit_active(world.admin, world.a1.id, active=False, now=NOW)
    with pytest.raises(Conflict, match="下级单位"):
        org.set_unit_active(world.admin, world.a.id, active=False, now=NOW)
    empty = make_unit("E", "空单位", world.b)
    org.set_unit_active(world.admin, empty.id, active=False, now=NOW)
    assert not db.session.get(OrgUnit, empty.id).active


def test_rename_records_the_change(world):
    org.update_unit(world.admin, world.b.id, name="乙区科技和工业信息化局", kind="district", sort_order=3, now=NOW)
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "unit.update")).one()
    assert "乙区科技和工业信息化局" in event.data_json
