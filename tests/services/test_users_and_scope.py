import pytest
from sqlalchemy import select

from examapp.errors import Conflict, NotFound, PermissionDenied, ValidationError
from examapp.extensions import db
from examapp.models import AuditEvent, User
from examapp.services import users as svc
from examapp.services.scope import Scope
from tests.conftest import NOW, PASSWORD, make_user


def person(world, username="new1", unit=None, **kw):
    return svc.PersonInput(username=username, name=kw.pop("name", "新人"), unit_id=(unit or world.a1).id, **kw)


def usernames(actor, **filters):
    return {u.username for u in db.session.execute(svc.people_query(actor, svc.PeopleFilter(**filters))).scalars()}


def test_scope_never_shows_a_sibling(world):
    seen = usernames(world.unit_admin)
    assert "employee" in seen and "victim" in seen
    assert "bperson" not in seen and "admin" not in seen
    with pytest.raises(NotFound):
        Scope.of(world.unit_admin).get_user(world.b_person.id)
    with pytest.raises(NotFound):
        Scope.of(world.a_auditor).get_unit(world.b.id)
    assert Scope.of(world.employee).is_empty
    assert "bperson" in usernames(world.auditor)  # the bureau-wide auditor


def test_search_and_filters(world):
    assert usernames(world.admin, q="张") == {"employee"}
    assert usernames(world.admin, flag="is_enforcement") == {"employee"}
    assert usernames(world.admin, unit_id=world.a.id, subtree=False) == {"unitadmin", "aauditor"}
    assert usernames(world.admin, role="auditor") == {"auditor", "aauditor"}


def test_create_user_is_audited_and_must_change_password(world):
    user = svc.create_user(world.unit_admin, person(world), password="Welcome-2026", now=NOW)
    assert user.must_change_password and user.password_hash.startswith(("scrypt", "pbkdf2"))
    assert "Welcome-2026" not in user.password_hash
    assert db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_id == str(user.id))).all() == [
        "user.create"]


def test_duplicate_username_and_bad_fields(world):
    with pytest.raises(Conflict):
        svc.create_user(world.admin, person(world, "employee"), password="Welcome-2026", now=NOW)
    with pytest.raises(ValidationError) as e:
        svc.create_user(world.admin, person(world, "bad name!"), password="Welcome-2026", now=NOW)
    assert e.value.field == "username"
    with pytest.raises(ValidationError) as e:
        svc.create_user(world.admin, person(world, "okname"), password="okname123", now=NOW)
    assert e.value.field == "password"


def test_unit_admin_cannot_place_people_outside_or_grant_admin(world):
    with pytest.raises(NotFound):
        svc.create_user(world.unit_admin, person(world, unit=world.b), password="Welcome-2026", now=NOW)
    with pytest.raises(PermissionDenied):
        svc.create_user(world.unit_admin, person(world, roles={"employee": None, "admin": None}),
                        password="Welcome-2026", now=NOW)
    db.session.rollback()
    assert db.session.scalar(select(User).where(User.username == "new1")) is None


def test_update_records_changes_and_role_change_ends_sessions(world):
    version = world.victim.session_version
    data = person(world, "victim", unit=world.a1, name="李四", position="股长", is_enforcement=True,
                  roles={"employee": None, "unit_admin": world.a.id})
    svc.update_user(world.admin, world.victim.id, data, now=NOW)
    db.session.expire_all()
    victim = db.session.get(User, world.victim.id)
    assert victim.unit_id == world.a1.id and victim.is_enforcement and victim.position == "股长"
    assert {r.role: r.scope_unit_id for r in victim.roles} == {"employee": None, "unit_admin": world.a.id}
    assert victim.session_version == version + 1
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.update")).one()
    assert "unit_admin" in event.data_json and "股长" in event.data_json


def test_username_cannot_change(world):
    with pytest.raises(ValidationError):
        svc.update_user(world.admin, world.victim.id, person(world, "renamed"), now=NOW)


def test_reset_password_forces_a_change(world):
    user, password = svc.reset_password(world.unit_admin, world.victim.id, now=NOW)
    assert user.must_change_password and len(password) >= 8


def test_unit_admin_cannot_reset_an_admin(world):
    make_user("admin_in_a", world.a1, "admin")
    target = db.session.scalar(select(User).where(User.username == "admin_in_a"))
    with pytest.raises(PermissionDenied):
        svc.reset_password(world.unit_admin, target.id, now=NOW)


def test_cannot_deactivate_yourself(world):
    with pytest.raises(ValidationError):
        svc.set_user_active(world.admin, world.admin.id, active=False, now=NOW)


def test_password_is_never_stored_plain(world):
    for user in db.session.scalars(select(User)):
        assert PASSWORD not in user.password_hash and "$" in user.password_hash
