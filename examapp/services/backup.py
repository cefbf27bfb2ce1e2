"""Backing up and restoring a deployment: the database (SQLite online backup or `pg_dump`), the audit
checkpoint file and the uploaded files, in one checked file (formats/backup_file.py).

Restore expects the app and the scheduler to be stopped. It checks the whole backup file before it
changes anything, refuses a backup of the other database kind or of newer code, and afterwards
verifies the audit chain.
"""
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import func, inspect, select, text
from sqlalchemy import table as sql_table

from ..domain.audit_chain import GENESIS, Verification
from ..extensions import db
from ..formats import backup_file as fmt
from . import audit


class BackupError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# -- the configured database ----------------------------------------------------------------------

def database_kind() -> str:
    name = db.engine.dialect.name
    if name not in fmt.KINDS:
        raise BackupError(f"backup supports SQLite and PostgreSQL, not {name}")
    return name


def _sqlite_path() -> Path:
    database = db.engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupError("the configured SQLite database is not a plain file; nothing to back up")
    return Path(database)


def _app_version() -> str:
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version("examapp")
    except PackageNotFoundError:
        return "unknown"


def _script_directory():
    from alembic.script import ScriptDirectory
    return ScriptDirectory(current_app.extensions["migrate"].directory)


def revision_status(revision: str | None) -> str:
    """'none' (schema made without migrations), 'current', 'older' or 'newer' than this code."""
    if not revision:
        return "none"
    script = _script_directory()
    if revision in script.get_heads():
        return "current"
    try:
        known = script.get_revision(revision)
    except Exception:  # alembic's ResolutionError/CommandError: a revision this code does not have
        known = None
    return "older" if known is not None else "newer"


@dataclass
class Contents:
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not any(self.counts.values())

    def describe(self) -> str:
        return ", ".join(f"{n} {label}" for label, n in self.counts.items() if n) or "nothing"


_COUNTED = (("org_unit", "units"), ("user", "people"), ("law", "laws"), ("question", "questions"),
            ("course", "courses"), ("exam", "exams"), ("attempt", "attempts"), ("certificate", "certificates"),
            ("setting", "settings"), ("audit_event", "audit events"))


def contents() -> Contents:
    """What the configured database holds (no tables at all counts as empty)."""
    tables = set(inspect(db.engine).get_table_names())
    with db.engine.connect() as conn:
        return Contents({label: conn.scalar(select(func.count()).select_from(sql_table(table))) or 0
                         for table, label in _COUNTED if table in tables})


# -- PostgreSQL tools -----------------------------------------------------------------------------

def _tool_major(path: str) -> int | None:
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30).stdout
    except OSError:
        return None
    m = re.search(r"\)\s*(\d+)", out)
    return int(m.group(1)) if m else None


def pg_tool(name: str, server_major: int) -> str:
    """pg_dump/pg_restore matching the server's major version: Debian's /usr/lib/postgresql/N/bin,
    RHEL's /usr/pgsql-N/bin, else the one on PATH if it is not older than the server."""
    candidates = [f"/usr/lib/postgresql/{server_major}/bin/{name}", f"/usr/pgsql-{server_major}/bin/{name}"]
    for path in candidates:
        if os.access(path, os.X_OK) and _tool_major(path) == server_major:
            return path
    on_path = shutil.which(name)
    found = _tool_major(on_path) if on_path else None
    if on_path and found is not None and found >= server_major:
        return on_path
    seen = f"{on_path} is version {found}" if on_path else f"{name} is not on PATH"
    raise BackupError(f"{name} for PostgreSQL {server_major} is needed ({seen}): install the PostgreSQL "
                      f"client tools, e.g. `apt-get install postgresql-client-{server_major}` "
                      f"(or the postgresql-client package of your system)")


def _pg_server() -> tuple[int, str]:
    with db.engine.connect() as conn:
        num = int(conn.scalar(text("SHOW server_version_num")))
        return num // 10000, conn.scalar(text("SHOW server_version"))


def _pg_conninfo() -> tuple[str, dict]:
    """A libpq URL without the password, and the child's environment carrying it in PGPASSWORD."""
    url = db.engine.url
    env = dict(os.environ)
    env.pop("PGPASSWORD", None)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    conninfo = url.set(drivername="postgresql")._replace(password=None).render_as_string(hide_password=False)
    return conninfo, env


def _run(cmd: list[str], env: dict, what: str) -> subprocess.CompletedProcess:
    result = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()[-5:]
        raise BackupError(f"{what} failed (exit {result.returncode}): " + " | ".join(detail))
    return result


# -- backup ---------------------------------------------------------------------------------------

@dataclass
class Snapshot:
    revision: str | None
    events: int
    head_seq: int
    head_hash: str
    server_version: str | None = None


def _sqlite_snapshot(path: Path) -> Snapshot:
    con = sqlite3.connect(path)
    try:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        revision = con.execute("SELECT version_num FROM alembic_version").fetchone() \
            if "alembic_version" in tables else None
        head = con.execute("SELECT seq, hash FROM audit_head WHERE id = 1").fetchone() \
            if "audit_head" in tables else None
        events = con.execute("SELECT count(*) FROM audit_event").fetchone()[0] if "audit_event" in tables else 0
    finally:
        con.close()
    seq, digest = head or (0, GENESIS)
    return Snapshot(revision[0] if revision else None, events, seq, digest)


def _backup_sqlite(dump: Path) -> Snapshot:
    source = _sqlite_path()
    if not source.exists():
        raise BackupError(f"{source}: the database file does not exist")
    src = sqlite3.connect(source, timeout=15)
    dest = sqlite3.connect(dump)
    try:
        src.backup(dest)  # the online backup API: a consistent copy while the app keeps running
    finally:
        dest.close()
        src.close()
    return _sqlite_snapshot(dump)


def _pg_read_snapshot(conn) -> Snapshot:
    revision = conn.scalar(text("SELECT version_num FROM alembic_version")) \
        if conn.scalar(text("SELECT to_regclass('alembic_version')")) else None
    head, events = None, 0
    if conn.scalar(text("SELECT to_regclass('audit_head')")):
        head = conn.execute(text("SELECT seq, hash FROM audit_head WHERE id = 1")).first()
        events = conn.scalar(text("SELECT count(*) FROM audit_event"))
    seq, digest = tuple(head) if head else (0, GENESIS)
    return Snapshot(revision, events, seq, digest)


def _backup_postgresql(dump: Path) -> Snapshot:
    major, version = _pg_server()
    tool = pg_tool("pg_dump", major)
    conninfo, env = _pg_conninfo()
    # The manifest's figures and the dump come from one exported snapshot, so they agree.
    with db.engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
        with conn.begin():
            snapshot_id = conn.scalar(text("SELECT pg_export_snapshot()"))
            snap = _pg_read_snapshot(conn)
            _run([tool, "--format=custom", "--no-password", f"--snapshot={snapshot_id}", f"--file={dump}",
                  f"--dbname={conninfo}"], env, "pg_dump")
    snap.server_version = version
    return snap


def _uploads_dir() -> Path:
    return Path(current_app.config["INSTANCE_PATH"]) / "uploads"


def _upload_files() -> list[tuple[str, Path]]:
    root = _uploads_dir()
    if not root.is_dir():
        return []
    return [(fmt.UPLOADS + p.relative_to(root).as_posix(), p)
            for p in sorted(root.rglob("*")) if p.is_file() and not p.is_symlink()]


def backup(out: Path, *, now: datetime) -> fmt.Manifest:
    """Write the backup to `out` (through a temporary name, so a failed run leaves no half file)."""
    out = Path(out)
    kind = database_kind()
    db.session.remove()
    with tempfile.TemporaryDirectory(prefix="examapp-backup-") as tmp:
        work = Path(tmp)
        extra = []
        # the checkpoints are copied before the database: every checkpoint then names an event the
        # dump holds
        checkpoints = audit._checkpoint_file()
        if checkpoints.exists():
            shutil.copyfile(checkpoints, work / "checkpoints.jsonl")
            extra.append((fmt.CHECKPOINTS, work / "checkpoints.jsonl"))
        dump = work / fmt.DUMP_NAMES[kind]
        snap = _backup_sqlite(dump) if kind == "sqlite" else _backup_postgresql(dump)
        extra += _upload_files()
        partial = out.with_name(out.name + ".partial")
        try:
            manifest = fmt.write(partial, dump, {
                "kind": kind, "created_at": fmt.utc_stamp(now), "app_version": _app_version(),
                "alembic_revision": snap.revision, "server_version": snap.server_version,
                "audit_events": snap.events, "head_seq": snap.head_seq, "head_hash": snap.head_hash,
            }, extra)
            os.replace(partial, out)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return manifest


# -- restore --------------------------------------------------------------------------------------

@dataclass
class RestoreResult:
    manifest: fmt.Manifest
    verification: Verification
    upgraded: bool
    revision_note: str
    moved_aside: list[Path] = field(default_factory=list)

    @property
    def head_matches(self) -> bool:
        return (self.verification.head_seq, self.verification.head_hash) == (
            self.manifest.head_seq, self.manifest.head_hash)


def check(path: Path) -> fmt.Manifest:
    """The manifest of a backup file, after checking every member against it."""
    try:
        with fmt.BackupReader(path) as reader:
            reader.check()
            return reader.manifest
    except fmt.BackupFileError as e:
        raise BackupError(f"{path}: {e}; nothing was changed") from e


def _restore_sqlite(reader: fmt.BackupReader) -> None:
    target = _sqlite_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=target.name + ".restore-")
    os.close(fd)
    temp = Path(name)
    try:
        reader.extract(reader.manifest.dump.path, temp)
        con = sqlite3.connect(temp)
        try:
            status = con.execute("PRAGMA quick_check").fetchone()[0]
        except sqlite3.DatabaseError as e:
            status = str(e)
        finally:
            con.close()
        if status != "ok":
            raise BackupError(f"{reader.path}: the database in the backup is damaged ({status}); nothing was changed")
        # nobody else may hold the file: our pooled connections go, the WAL is folded back in
        db.session.remove()
        db.engine.dispose()
        if target.exists():
            con = sqlite3.connect(target, timeout=15)
            try:
                busy = con.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
            finally:
                con.close()
            wal = Path(f"{target}-wal")
            if busy or wal.exists():
                raise BackupError(f"{target} is still open in another process: stop the app and the "
                                  f"scheduler, then restore again; nothing was changed")
            Path(f"{target}-shm").unlink(missing_ok=True)
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)


_LIST_TABLE = re.compile(r"^\d+;\s+\d+\s+\d+\s+TABLE\s+(\S+)\s+(\S+)\s")


def _restore_postgresql(reader: fmt.BackupReader, work: Path) -> None:
    major, _ = _pg_server()
    tool = pg_tool("pg_restore", major)
    conninfo, env = _pg_conninfo()
    dump = work / reader.manifest.dump.path
    reader.extract(reader.manifest.dump.path, dump)
    try:
        listing = _run([tool, "--list", str(dump)], env, "pg_restore --list").stdout
    except BackupError as e:
        raise BackupError(f"{reader.path}: the dump cannot be read ({e.message}); nothing was changed") from e
    in_dump = {m.group(2) for line in listing.splitlines() if (m := _LIST_TABLE.match(line))}
    db.session.remove()
    # Tables of this code that the (older) backup lacks would block the upgrade afterwards; they go first.
    with db.engine.begin() as conn:
        present = set(inspect(conn).get_table_names())
        for table in sorted((present & set(db.metadata.tables)) - in_dump):
            conn.execute(text(f'DROP TABLE IF EXISTS "{table}" CASCADE'))
    db.engine.dispose()
    _run([tool, "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
          "--exit-on-error", "--no-password", f"--dbname={conninfo}", str(dump)], env, "pg_restore")


def _move_aside(path: Path, stamp: str) -> Path | None:
    if not path.exists():
        return None
    aside = path.with_name(f"{path.name}.before-restore-{stamp}")
    os.replace(path, aside)
    return aside


def _restore_files(reader: fmt.BackupReader, stamp: str) -> list[Path]:
    """The checkpoint file and the uploads become the backup's; what was there is kept beside them."""
    moved = []
    checkpoints = audit._checkpoint_file()
    saved = reader.manifest.checkpoints
    if not (saved and checkpoints.exists() and fmt.file_digest(checkpoints)[1] == saved.sha256):
        moved.append(_move_aside(checkpoints, stamp))
    if saved:
        checkpoints.parent.mkdir(parents=True, exist_ok=True)
        reader.extract(fmt.CHECKPOINTS, checkpoints)
    uploads = _uploads_dir()
    moved.append(_move_aside(uploads, stamp))
    for entry in reader.manifest.uploads:
        target = uploads / entry.path[len(fmt.UPLOADS):]
        target.parent.mkdir(parents=True, exist_ok=True)
        reader.extract(entry.path, target)
    return [m for m in moved if m]


def restore(path: Path, *, replace: bool, now: datetime) -> RestoreResult:
    """Restore the backup at `path` into the configured database and instance folder."""
    path = Path(path)
    manifest = check(path)
    kind = database_kind()
    if manifest.kind != kind:
        raise BackupError(f"{path}: this is a backup of a {manifest.kind} database, and the configured database "
                          f"is {kind}; restoring across database kinds is not supported (restore it into a "
                          f"{manifest.kind} database); nothing was changed")
    status = revision_status(manifest.alembic_revision)
    if status == "newer":
        raise BackupError(f"{path}: the backup was made at schema revision {manifest.alembic_revision}, which "
                          f"this version of examapp does not know; upgrade the code first; nothing was changed")
    held = contents()
    if not held.empty and not replace:
        raise BackupError(f"the configured database is not empty (it holds {held.describe()}); pass --yes to "
                          f"replace it with the backup; nothing was changed")
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    with fmt.BackupReader(path) as reader, tempfile.TemporaryDirectory(prefix="examapp-restore-") as tmp:
        try:
            if kind == "sqlite":
                _restore_sqlite(reader)
            else:
                _restore_postgresql(reader, Path(tmp))
            moved = _restore_files(reader, stamp)
        except fmt.BackupFileError as e:
            raise BackupError(f"{path}: {e}") from e
    db.session.remove()
    db.engine.dispose()
    upgraded = False
    notes = {"none": "the backup has no schema revision (tables made without migrations): not upgraded",
             "current": f"schema revision {manifest.alembic_revision} (current)",
             "older": f"schema revision {manifest.alembic_revision} upgraded to this code's"}
    if status == "older":
        from flask_migrate import upgrade
        upgrade()
        upgraded = True
    result = audit.verify()
    if result.ok:
        audit.write_checkpoint(result, now)
    db.session.remove()
    return RestoreResult(manifest, result, upgraded, notes[status], moved)


__all__ = ["BackupError", "Contents", "RestoreResult", "backup", "check", "contents", "database_kind", "pg_tool",
           "restore", "revision_status"]
