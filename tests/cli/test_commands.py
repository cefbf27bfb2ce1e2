from sqlalchemy import func, select

from examapp.extensions import db
from examapp.models import OrgUnit, User
from examapp.services import audit


def test_seed_demo_is_idempotent(runner):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(args=["seed-demo"])
    assert "0 created this run" in second.output
    people = db.session.scalar(select(func.count()).select_from(User))
    assert 55 <= people <= 70
    names = set(db.session.scalars(select(OrgUnit.name)))
    assert {"市工业和信息化局", "政策法规科", "无线电管理科", "中小企业科", "零陵区科技和工业信息化局"} <= names
    accounts = {u.username: u for u in db.session.scalars(select(User))}
    for name in ("admin", "unitadmin", "auditor", "employee", "employee2"):
        assert name in accounts
    scopes = {r.role: r.scope_unit.name if r.scope_unit else None for r in accounts["unitadmin"].roles}
    assert scopes == {"employee": None, "unit_admin": "零陵区科技和工业信息化局"}
    assert sum(u.is_enforcement for u in accounts.values()) >= 10
    assert sum(u.is_supervision for u in accounts.values()) >= 3
    assert sum(u.is_leader for u in accounts.values()) >= 5
    assert audit.verify().ok


def test_demo_password_logs_in(app, runner, client):
    runner.invoke(args=["seed-demo"])
    r = client.post("/login", data={"username": "unitadmin", "password": app.config["DEMO_PASSWORD"]})
    assert r.status_code == 302 and r.headers["Location"] == "/"


def test_users_create(runner, world):
    r = runner.invoke(args=["users", "create", "cli01", "--name", "命令行", "--unit", "A1", "--role", "employee",
                            "--enforcement"])
    assert r.exit_code == 0 and "initial password" in r.output
    user = db.session.scalar(select(User).where(User.username == "cli01"))
    assert user.is_enforcement and user.must_change_password
    r = runner.invoke(args=["users", "create", "cli01", "--name", "x", "--unit", "A1"])
    assert r.exit_code != 0 and "已存在" in r.output
    r = runner.invoke(args=["users", "create", "cli02", "--name", "x", "--unit", "NOPE"])
    assert r.exit_code != 0 and "unknown unit code NOPE" in r.output


def test_units_and_users_import(runner, world, tmp_path):
    units = tmp_path / "units.csv"
    units.write_text("单位编码,单位名称,上级单位编码\nC,丙区局,R\n", encoding="utf-8")
    r = runner.invoke(args=["units", "import", str(units)])
    assert r.exit_code == 0 and "1 created" in r.output
    people = tmp_path / "people.csv"
    people.write_text("工号,姓名,单位编码\nc1,丙一,C\nc2,丙二,C\n", encoding="utf-8")
    r = runner.invoke(args=["users", "import", str(people), "--initial-password", "Welcome-2026"])
    assert r.exit_code == 0 and "2 created" in r.output
    bad = tmp_path / "bad.csv"
    bad.write_text("工号,姓名,单位编码\nc3,丙三,ZZ\n", encoding="utf-8")
    r = runner.invoke(args=["users", "import", str(bad)])
    assert r.exit_code == 1 and "bad.csv 第 2 行「单位编码」列" in r.output
    assert db.session.scalar(select(User).where(User.username == "c3")) is None
    r = runner.invoke(args=["users", "import", str(tmp_path / "missing.csv")])
    assert r.exit_code != 0 and "missing.csv" in r.output


def test_audit_verify_ok(runner, world):
    r = runner.invoke(args=["audit", "verify"])
    assert r.exit_code == 0 and "audit chain ok" in r.output


def test_demo_has_an_annual_exam_open_for_the_employees(app, runner):
    import pytest

    from tests.conftest import LAWS_DIR
    if not LAWS_DIR.exists():
        pytest.skip("../shared/laws is not beside the repository")
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0 and "published" in result.output, result.output
    for username in ("employee", "employee2"):
        client = app.test_client()
        client.post("/api/v1/auth/login", json={"username": username, "password": app.config["DEMO_PASSWORD"]})
        listed = [e for e in client.get("/api/v1/exams").get_json()["exams"] if e["can_start"]]
        assert len(listed) == 1 and listed[0]["kind"] == "annual"          # last year's is over
        attempt = client.post(f"/api/v1/exams/{listed[0]['id']}/attempts").get_json()["attempt"]
        assert len(attempt["questions"]) == 50 and sum(q["points"] for q in attempt["questions"]) == 100
    # last year's history: sat through the real flow, exemptions approved by a second admin, the year frozen
    from examapp.clock import utcnow
    from examapp.services import snapshots
    last = utcnow().year - 1
    frozen = snapshots.get(last)
    assert frozen is not None and frozen.report["total"]["exempt"] == 2
    assert frozen.report["total"]["sat"] >= 40 and 0 < frozen.report["total"]["passed"] <= frozen.report["total"]["sat"]
    result = runner.invoke(args=["report", "rates", "--year", str(last)])
    assert result.exit_code == 0 and f'"digest": "{frozen.digest}"' in result.stdout
    assert audit.verify().ok
