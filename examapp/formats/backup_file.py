"""The backup file: one .zip holding the database dump, the files that live outside the database and a
`backup.json` manifest that lets `restore` check everything before it touches anything. No DB, no Flask.

Layout::

    backup.json                      the manifest (below), written last
    database.sqlite3 | database.pgdump   an SQLite online-backup copy, or `pg_dump --format=custom`
    audit_checkpoints/checkpoints.jsonl  the database's audit checkpoint file (if any)
    uploads/<path>                   every file under the instance folder's uploads/

Manifest (format "examapp-backup", version 1)::

    {"format": "examapp-backup", "version": 1, "created_at": "2026-…Z", "app_version": "0.1.0",
     "database": {"kind": "sqlite"|"postgresql", "file": "database.sqlite3", "size": n, "sha256": "…",
                  "alembic_revision": "0010_…"|null, "server_version": "15.2"|null},
     "audit": {"events": n, "head_seq": n, "head_hash": "…"},
     "files": [{"path": "uploads/…", "size": n, "sha256": "…"}, …]}
"""
import hashlib
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath

FORMAT = "examapp-backup"
VERSION = 1
MANIFEST = "backup.json"
KINDS = ("sqlite", "postgresql")
DUMP_NAMES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
CHECKPOINTS = "audit_checkpoints/checkpoints.jsonl"
UPLOADS = "uploads/"
CHUNK = 1024 * 1024


class BackupFileError(Exception):
    """The file is not a usable examapp backup; the message says why."""


@dataclass
class FileEntry:
    path: str
    size: int
    sha256: str


@dataclass
class Manifest:
    kind: str
    dump: FileEntry
    created_at: str
    app_version: str
    alembic_revision: str | None
    server_version: str | None
    audit_events: int
    head_seq: int
    head_hash: str
    files: list[FileEntry] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "format": FORMAT, "version": VERSION, "created_at": self.created_at, "app_version": self.app_version,
            "database": {"kind": self.kind, "file": self.dump.path, "size": self.dump.size,
                         "sha256": self.dump.sha256, "alembic_revision": self.alembic_revision,
                         "server_version": self.server_version},
            "audit": {"events": self.audit_events, "head_seq": self.head_seq, "head_hash": self.head_hash},
            "files": [{"path": f.path, "size": f.size, "sha256": f.sha256} for f in self.files],
        }

    @property
    def checkpoints(self) -> FileEntry | None:
        return next((f for f in self.files if f.path == CHECKPOINTS), None)

    @property
    def uploads(self) -> list[FileEntry]:
        return [f for f in self.files if f.path.startswith(UPLOADS)]


def file_digest(path: Path) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def utc_stamp(now: datetime) -> str:
    return now.replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def safe_member(name: str) -> bool:
    """A member name that stays inside the folder it is extracted to."""
    p = PurePosixPath(name)
    return bool(name) and not p.is_absolute() and ".." not in p.parts and "\\" not in name and ":" not in name


# -- writing --------------------------------------------------------------------------------------

def write(out: Path, dump: Path, manifest_fields: dict, extra: list[tuple[str, Path]]) -> Manifest:
    """Write the zip: the dump, the `extra` files (archive name, source path), then the manifest."""
    kind = manifest_fields["kind"]
    name = DUMP_NAMES[kind]
    size, sha = file_digest(dump)
    files = []
    # a custom-format pg_dump is compressed already; an SQLite file compresses well
    compress = zipfile.ZIP_DEFLATED if kind == "sqlite" else zipfile.ZIP_STORED
    with zipfile.ZipFile(out, "w", allowZip64=True) as zf:
        zf.write(dump, name, compress_type=compress)
        for arcname, source in extra:
            fsize, fsha = file_digest(source)
            zf.write(source, arcname, compress_type=zipfile.ZIP_DEFLATED)
            files.append(FileEntry(arcname, fsize, fsha))
        manifest = Manifest(dump=FileEntry(name, size, sha), files=files, **manifest_fields)
        zf.writestr(MANIFEST, json.dumps(manifest.as_json(), ensure_ascii=False, indent=2),
                    compress_type=zipfile.ZIP_DEFLATED)
    return manifest


# -- reading --------------------------------------------------------------------------------------

def _entry(item, what: str) -> FileEntry:
    if not isinstance(item, dict) or not isinstance(item.get("path", item.get("file")), str) \
            or not isinstance(item.get("size"), int) or not isinstance(item.get("sha256"), str):
        raise BackupFileError(f"backup.json: bad entry for {what}")
    return FileEntry(item.get("path", item.get("file")), item["size"], item["sha256"])


def parse_manifest(raw: bytes) -> Manifest:
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise BackupFileError(f"backup.json is not valid JSON ({e})") from e
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BackupFileError("backup.json does not describe an examapp backup")
    if data.get("version") != VERSION:
        raise BackupFileError(f"backup format version {data.get('version')!r} is not supported "
                              f"(this version of examapp reads version {VERSION})")
    database, audit = data.get("database"), data.get("audit")
    if not isinstance(database, dict) or not isinstance(audit, dict):
        raise BackupFileError("backup.json: the database or audit section is missing")
    kind = database.get("kind")
    if kind not in KINDS:
        raise BackupFileError(f"backup.json: unknown database kind {kind!r}")
    dump = _entry(database, "the database dump")
    if dump.path != DUMP_NAMES[kind]:
        raise BackupFileError(f"backup.json: unexpected dump file {dump.path!r}")
    listed = data.get("files") or []
    if not isinstance(listed, list):
        raise BackupFileError("backup.json: files should be a list")
    files = [_entry(item, "a file") for item in listed]
    for f in files:
        if not safe_member(f.path) or not (f.path == CHECKPOINTS or f.path.startswith(UPLOADS)):
            raise BackupFileError(f"backup.json: unexpected file {f.path!r}")
    try:
        return Manifest(kind=kind, dump=dump, created_at=str(data.get("created_at", "")),
                        app_version=str(data.get("app_version", "")),
                        alembic_revision=database.get("alembic_revision"),
                        server_version=database.get("server_version"),
                        audit_events=int(audit["events"]), head_seq=int(audit["head_seq"]),
                        head_hash=str(audit["head_hash"]), files=files)
    except (KeyError, TypeError, ValueError) as e:
        raise BackupFileError(f"backup.json: the audit section is incomplete ({e})") from e


class BackupReader:
    """Opens a backup and checks it completely (manifest, every member's size and SHA-256) on `check()`."""

    def __init__(self, path: Path):
        self.path = Path(path)
        try:
            self.zip = zipfile.ZipFile(self.path)
        except FileNotFoundError as e:
            raise BackupFileError("no such file") from e
        except (zipfile.BadZipFile, OSError) as e:
            raise BackupFileError(f"not an examapp backup ({e})") from e
        try:
            raw = self.zip.read(MANIFEST)
        except KeyError as e:
            raise BackupFileError(f"not an examapp backup ({MANIFEST} is missing)") from e
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as e:
            raise BackupFileError(f"{MANIFEST} is damaged ({e})") from e
        self.manifest = parse_manifest(raw)

    def close(self) -> None:
        self.zip.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _chunks(self, name: str) -> Iterator[bytes]:
        try:
            with self.zip.open(name) as fh:
                while chunk := fh.read(CHUNK):
                    yield chunk
        except KeyError as e:
            raise BackupFileError(f"{name} is listed in backup.json but missing") from e
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as e:
            raise BackupFileError(f"{name} is damaged ({e})") from e

    def _check_entry(self, entry: FileEntry) -> None:
        digest, size = hashlib.sha256(), 0
        for chunk in self._chunks(entry.path):
            digest.update(chunk)
            size += len(chunk)
        if size != entry.size or digest.hexdigest() != entry.sha256:
            raise BackupFileError(f"{entry.path} does not match its SHA-256 in backup.json (the file is damaged)")

    def check(self) -> None:
        """Every member listed is present and intact; nothing unlisted hides in the file."""
        listed = {self.manifest.dump.path, MANIFEST, *(f.path for f in self.manifest.files)}
        for name in self.zip.namelist():
            if name not in listed:
                raise BackupFileError(f"unexpected member {name!r} (not listed in backup.json)")
        for entry in (self.manifest.dump, *self.manifest.files):
            self._check_entry(entry)

    def extract(self, name: str, target: Path) -> None:
        """Copy one member to `target` (checked again on the way)."""
        entry = next(e for e in (self.manifest.dump, *self.manifest.files) if e.path == name)
        digest = hashlib.sha256()
        with open(target, "wb") as out:
            for chunk in self._chunks(name):
                digest.update(chunk)
                out.write(chunk)
        if digest.hexdigest() != entry.sha256:
            raise BackupFileError(f"{name} does not match its SHA-256 in backup.json (the file is damaged)")


__all__ = ["CHECKPOINTS", "DUMP_NAMES", "FORMAT", "MANIFEST", "UPLOADS", "VERSION", "BackupFileError", "BackupReader",
           "FileEntry", "Manifest", "file_digest", "parse_manifest", "safe_member", "utc_stamp", "write"]
