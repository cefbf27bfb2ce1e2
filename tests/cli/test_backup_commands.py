"""`backup` and `restore`: a round trip on the configured database kind (SQLite, or PostgreSQL when
TEST_DATABASE_URL says so), and the refusals that must change nothing."""
import json
import os
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, delete, select, text

from examapp import create_app
from examapp.extensions import db
from examapp.formats import backup_file as fmt
from examapp.models import Attempt, Certificate, OrgUnit, User, UserRole
from examapp.services import audit, org, rates, uploads
from examapp.services import backup as backup_service
from tests.certificate_factory import make_certificate
from tests.conftest import NOW, PG_URL, make_user, paper_answers

RESTORE_DB = PG_URL.rsplit("/", 1)[-1] + "_restore"  # e.g. test_h5_restore beside test_h5


@pytest.fixture
def target(tmp_path, app):
    """A second deployment with an empty database: SQLite in another folder, or a PostgreSQL database
    named after the test database with `_restore` (made fresh for the test, dropped after it)."""
    if PG_URL:
        admin = create_engine(os.environ["TEST_DATABASE_URL"], isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{RESTORE_DB}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{RESTORE_DB}"'))
        url = PG_URL.rsplit("/", 1)[0] + "/" + RESTORE_DB
    else:
        url = f"sqlite:///{tmp_path}/target/examapp.db"
    (tmp_path / "target").mkdir(exist_ok=True)
    other = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "test-secret",
                        "INSTANCE_PATH": str(tmp_path / "target"), "SERVER_NAME": None})
    yield other
    with other.app_context():
        db.session.remove()
        db.engine.dispose()
    if PG_URL:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{RESTORE_DB}" WITH (FORCE)'))
        admin.dispose()


def state() -> dict:
    """What the test compares before the backup and after the restore (in the active app)."""
    auditor = db.session.scalar(select(User).where(User.username == "auditor"))
    status = audit.chain_status()
    return {
        "units": sorted(db.session.scalars(select(OrgUnit.code))),
        "people": sorted(db.session.scalars(select(User.username))),
        "certificates": sorted(db.session.scalars(select(Certificate.number))),
        "attempts": sorted(tuple(r) for r in db.session.execute(select(Attempt.id, Attempt.status, Attempt.score))),
        "chain": (status.count, status.head_seq, status.head_hash),
        "report": rates.build(auditor, 2026, now=NOW + timedelta(days=1)).as_json(),
    }


def instance_files(app) -> dict:
    inst = Path(app.config["INSTANCE_PATH"])
    with app.app_context():
        checkpoint = audit._checkpoint_file()
    return {"checkpoint": checkpoint.read_text() if checkpoint.exists() else None,
            "uploads": {p.relative_to(inst / "uploads").as_posix(): p.read_bytes()
                        for p in (inst / "uploads").rglob("*") if p.is_file()}}


@pytest.fixture
def built(app, world, judge_exam, runner):
    """Audited changes, an exam result, a certificate, an upload and a checkpoint."""
    org.create_unit(world.admin, code="C", name="丙区局", kind="district", parent_id=world.root.id, now=NOW)
    make_user("extra", world.b, "employee", name="赵六", is_enforcement=True)
    paper_answers(world.employee, judge_exam, judge=True, single_right=True)
    make_certificate(world.employee, "ZF-2026-0001")
    (uploads.folder("exemptions") / "a1b2c3").write_bytes(b"%PDF-1.4 exemption attachment\n")
    r = runner.invoke(args=["audit", "verify"])
    assert r.exit_code == 0, r.output
    assert audit.last_checkpoint() is not None
    return state()


def invoke(some_app, *args):
    """Run a command against `some_app` (with_appcontext would reuse the test's active app otherwise)."""
    with some_app.app_context():
        return some_app.test_cli_runner().invoke(args=list(args))


def make_backup(runner, path: Path) -> fmt.Manifest:
    r = runner.invoke(args=["backup", "-o", str(path)])
    assert r.exit_code == 0, r.output
    with fmt.BackupReader(path) as reader:
        reader.check()
        return reader.manifest


def damage(target_app) -> None:
    """Delete rows, add a unit, lose the uploads and the checkpoint file."""
    with target_app.app_context():
        admin = db.session.scalar(select(User).where(User.username == "admin"))
        extra = db.session.scalar(select(User).where(User.username == "extra"))
        db.session.execute(delete(Certificate))
        db.session.execute(delete(UserRole).where(UserRole.user_id == extra.id))
        db.session.execute(delete(User).where(User.id == extra.id))
        db.session.commit()
        root = db.session.scalar(select(OrgUnit).where(OrgUnit.code == "R"))
        org.create_unit(admin, code="D", name="丁区局", kind="district", parent_id=root.id, now=NOW + timedelta(days=2))
        audit._checkpoint_file().unlink()
        (uploads.folder("exemptions") / "a1b2c3").unlink()
        (uploads.folder("exemptions") / "later").write_bytes(b"uploaded after the backup")
        db.session.remove()


def test_round_trip(app, runner, built, target, tmp_path):
    source_files = instance_files(app)
    file = tmp_path / "examapp-backup.zip"
    manifest = make_backup(runner, file)
    assert manifest.kind == ("postgresql" if PG_URL else "sqlite")
    assert (manifest.audit_events, manifest.head_seq, manifest.head_hash) == built["chain"]
    assert manifest.checkpoints is not None and [f.path for f in manifest.uploads] == ["uploads/exemptions/a1b2c3"]

    # into an empty database: no --yes needed
    r = invoke(target, "restore", str(file))
    assert r.exit_code == 0, r.output
    assert f"audit chain ok: {built['chain'][0]} events, head {built['chain'][2]}" in r.output
    with target.app_context():
        assert state() == built
    assert instance_files(target) == source_files

    # into a changed one: refused without --yes, naming what it holds; nothing changes
    damage(target)
    with target.app_context():
        damaged = state()
    assert damaged["units"] == sorted([*built["units"], "D"]) and damaged["certificates"] == []
    r = invoke(target, "restore", str(file))
    assert r.exit_code == 1 and "not empty" in r.output and "7 units, 7 people" in r.output and "--yes" in r.output
    with target.app_context():
        assert state() == damaged

    r = invoke(target, "restore", str(file), "--yes")
    assert r.exit_code == 0, r.output
    with target.app_context():
        after = state()
    assert after == built
    assert after["report"]["digest"] == built["report"]["digest"]
    assert instance_files(target) == source_files
    kept = sorted(p.name for p in (tmp_path / "target").iterdir() if ".before-restore-" in p.name)
    assert kept and kept[0].startswith("uploads.before-restore-")
    assert (tmp_path / "target" / kept[0] / "exemptions" / "later").exists()  # nothing is thrown away
    r = invoke(target, "audit", "verify")
    assert r.exit_code == 0 and built["chain"][2] in r.output


def test_restore_in_place(app, runner, built, tmp_path):
    """The backup restores into the very database it came from, after that database changed."""
    if PG_URL:
        pytest.skip("PostgreSQL restores go to a database of their own (test_round_trip)")
    file = tmp_path / "b.zip"
    make_backup(runner, file)
    damage(app)
    r = runner.invoke(args=["restore", str(file), "--yes"])
    assert r.exit_code == 0, r.output
    assert state() == built


def test_tampered_backup_is_refused_and_changes_nothing(app, runner, built, tmp_path):
    file = tmp_path / "b.zip"
    make_backup(runner, file)
    data = bytearray(file.read_bytes())
    data[len(data) // 3] ^= 0x01
    file.write_bytes(bytes(data))
    before = instance_files(app)
    r = runner.invoke(args=["restore", str(file), "--yes"])
    assert r.exit_code == 1
    assert str(file) in r.output and "nothing was changed" in r.output
    assert state() == built and instance_files(app) == before


def test_not_a_backup(app, runner, built, tmp_path):
    file = tmp_path / "notes.zip"
    file.write_bytes(b"just some bytes")
    r = runner.invoke(args=["restore", str(file), "--yes"])
    assert r.exit_code == 1 and f"{file}: not an examapp backup" in r.output
    assert state() == built


def forged(tmp_path: Path, **fields) -> Path:
    """A well-formed backup file with the given manifest fields (its dump is junk)."""
    dump = tmp_path / "dump"
    dump.write_bytes(b"not really a database")
    values = {"kind": "sqlite", "created_at": "2026-01-01T00:00:00Z", "app_version": "0.1.0",
              "alembic_revision": None, "server_version": None, "audit_events": 0, "head_seq": 0,
              "head_hash": "0" * 64} | fields
    out = tmp_path / "forged.zip"
    fmt.write(out, dump, values, [])
    return out


def test_backup_of_the_other_database_kind_is_refused(app, runner, built, tmp_path):
    other = "sqlite" if PG_URL else "postgresql"
    file = forged(tmp_path, kind=other)
    r = runner.invoke(args=["restore", str(file), "--yes"])
    assert r.exit_code == 1
    assert f"backup of a {other} database" in r.output and "not supported" in r.output
    assert state() == built


def test_backup_of_newer_code_is_refused(app, runner, built, tmp_path):
    file = forged(tmp_path, kind="postgresql" if PG_URL else "sqlite", alembic_revision="9999_from_the_future")
    r = runner.invoke(args=["restore", str(file), "--yes"])
    assert r.exit_code == 1 and "upgrade the code first" in r.output
    assert state() == built


def test_revision_status(app):
    from alembic.script import ScriptDirectory
    script = ScriptDirectory(app.extensions["migrate"].directory)
    head = script.get_current_head()
    first = list(script.walk_revisions())[-1].revision
    assert backup_service.revision_status(head) == "current"
    assert backup_service.revision_status(first) == "older"
    assert backup_service.revision_status("9999_from_the_future") == "newer"
    assert backup_service.revision_status(None) == "none"


def test_missing_postgres_tools_name_the_package(monkeypatch):
    monkeypatch.setattr(backup_service.shutil, "which", lambda name: None)
    with pytest.raises(backup_service.BackupError) as e:
        backup_service.pg_tool("pg_dump", 99)
    assert "postgresql-client" in e.value.message and "pg_dump" in e.value.message


def test_manifest_is_checked(tmp_path):
    with pytest.raises(fmt.BackupFileError, match="does not describe an examapp backup"):
        fmt.parse_manifest(json.dumps({"format": "other"}).encode())
    with pytest.raises(fmt.BackupFileError, match="not supported"):
        fmt.parse_manifest(json.dumps({"format": fmt.FORMAT, "version": 99}).encode())
    file = forged(tmp_path)
    manifest = json.loads(__import__("zipfile").ZipFile(file).read(fmt.MANIFEST))
    manifest["files"] = [{"path": "../../etc/passwd", "size": 1, "sha256": "x"}]
    with pytest.raises(fmt.BackupFileError, match="unexpected file"):
        fmt.parse_manifest(json.dumps(manifest).encode())


def test_password_goes_to_the_child_environment_only():
    other = create_app({"SQLALCHEMY_DATABASE_URI": "postgresql://bureau:s3cr%40t@db.example:5433/exam?sslmode=require",
                        "SECRET_KEY": "x"})
    with other.app_context():
        conninfo, env = backup_service._pg_conninfo()
    assert "s3cr" not in conninfo and env["PGPASSWORD"] == "s3cr@t"
    assert conninfo == "postgresql://bureau@db.example:5433/exam?sslmode=require"
