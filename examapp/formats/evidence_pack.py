"""The evidence pack's container: stable CSV and JSONL encodings, a zip written member by member (each
member hashed as it is written) and its manifest, and reading a pack back with clear errors. The same
records always give the same bytes, so a pack can be re-derived from the database and compared by hash.
No DB, no Flask."""
import csv
import hashlib
import io
import json
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import BinaryIO

from ..domain.audit_chain import canonical_json
from ..errors import ValidationError

MANIFEST = "manifest.json"
FORMAT = "examapp-evidence-pack/1"
BOM = "\ufeff"                       # so that Excel opens the CSV files as UTF-8
ZIP_TIME = (1980, 1, 1, 0, 0, 0)     # members carry no build time: the same records, the same member bytes
CHUNK = 1 << 16


def cell(value) -> str:
    """One CSV cell, the same text for the same value on every database."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return canonical_json(value)
    return str(value)


def csv_lines(header: Iterable[str], rows: Iterable[Iterable]) -> Iterator[bytes]:
    """A CSV file as chunks of bytes: a BOM, the header, then one line per row (LF, minimal quoting)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    buffer.write(BOM)
    writer.writerow(list(header))
    count = 0
    for row in rows:
        writer.writerow([cell(v) for v in row])
        count += 1
        if count % 1000 == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def jsonl_lines(records: Iterable[dict]) -> Iterator[bytes]:
    for record in records:
        yield (canonical_json(record) + "\n").encode("utf-8")


@dataclass(frozen=True)
class FileDigest:
    sha256: str
    size: int

    def as_dict(self) -> dict:
        return {"sha256": self.sha256, "bytes": self.size}


def digest_of(chunks: Iterable[bytes]) -> FileDigest:
    h, size = hashlib.sha256(), 0
    for chunk in chunks:
        h.update(chunk)
        size += len(chunk)
    return FileDigest(h.hexdigest(), size)


class PackWriter:
    """Writes members into a zip as they are produced, remembering each one's hash and size."""

    def __init__(self, out: BinaryIO):
        self.zip = zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True)
        self.files: dict[str, FileDigest] = {}

    def add(self, name: str, chunks: Iterable[bytes]) -> FileDigest:
        info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        h, size = hashlib.sha256(), 0
        with self.zip.open(info, "w", force_zip64=True) as member:
            for chunk in chunks:
                member.write(chunk)
                h.update(chunk)
                size += len(chunk)
        self.files[name] = FileDigest(h.hexdigest(), size)
        return self.files[name]

    def finish(self, manifest: dict) -> str:
        """Write the manifest (canonical JSON) last and close the zip; the manifest's SHA-256."""
        data = canonical_json(manifest).encode("utf-8")
        info = zipfile.ZipInfo(MANIFEST, date_time=ZIP_TIME)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        self.zip.writestr(info, data)
        self.zip.close()
        return hashlib.sha256(data).hexdigest()


# -- reading a pack back ---------------------------------------------------------------------------

# what a damaged or foreign zip raises while it is read (NotImplementedError: a compression method zipfile
# does not support; RuntimeError: an encrypted member)
READ_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, OSError, EOFError, RuntimeError,
               NotImplementedError, ValueError)


MAX_UNPACKED = 8 * 1024 ** 3        # a pack that unpacks to more than this is not one the system built
MAX_MANIFEST = 64 * 1024 ** 2


def open_pack(data: bytes, filename: str = "证据包") -> zipfile.ZipFile:
    try:
        pack = zipfile.ZipFile(io.BytesIO(data))
    except READ_ERRORS:
        raise ValidationError(filename, "不是有效的 zip 文件（证据包应为系统导出的 .zip 文件）") from None
    if sum(info.file_size for info in pack.infolist()) > MAX_UNPACKED:
        raise ValidationError(filename, "解压后过大，不是系统导出的证据包")
    return pack


def member_digest(pack: zipfile.ZipFile, name: str) -> FileDigest | None:
    """The member's hash, read in chunks; None when it cannot be read (damaged, encrypted)."""
    try:
        with pack.open(name) as fh:
            return digest_of(iter(lambda: fh.read(CHUNK), b""))
    except READ_ERRORS:
        return None


def _is_hex64(value) -> bool:
    return isinstance(value, str) and len(value) == 64 and all(c in "0123456789abcdef" for c in value)


def _int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def read_manifest(pack: zipfile.ZipFile) -> dict:
    """The manifest, checked for shape; a ValidationError naming manifest.json otherwise."""
    if MANIFEST not in pack.namelist():
        raise ValidationError(MANIFEST, "证据包中没有清单文件 manifest.json")
    if pack.getinfo(MANIFEST).file_size > MAX_MANIFEST:
        raise ValidationError(MANIFEST, "清单文件过大")
    try:
        raw = pack.read(MANIFEST)
    except READ_ERRORS as e:
        raise ValidationError(MANIFEST, f"无法读取：{e}") from None
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except ValueError as e:          # not UTF-8, not JSON
        raise ValidationError(MANIFEST, f"不是有效的 JSON（{e}）") from None
    if not isinstance(manifest, dict):
        raise ValidationError(MANIFEST, "内容应为一个 JSON 对象")
    if manifest.get("format") != FORMAT:
        raise ValidationError(MANIFEST, f"格式标识应为 {FORMAT}")
    scope = manifest.get("scope")
    if not isinstance(scope, dict) or not _int(scope.get("year")) \
            or not (scope.get("exam") is None or _int(scope.get("exam"))) \
            or not (scope.get("unit") is None or isinstance(scope.get("unit"), str)):
        raise ValidationError(MANIFEST, "scope 字段应含 year（整数）、exam（整数或 null）、unit（单位编码或 null）")
    head = manifest.get("chain_head")
    if not isinstance(head, dict) or not _int(head.get("seq")) or head["seq"] < 0 \
            or not _is_hex64(head.get("hash")):
        raise ValidationError(MANIFEST, "chain_head 字段应含 seq（整数）和 hash（64 位十六进制）")
    files = manifest.get("files")
    if not isinstance(files, dict) or not files:
        raise ValidationError(MANIFEST, "files 字段应列出包内每个文件")
    for name, entry in files.items():
        if not isinstance(entry, dict) or not _is_hex64(entry.get("sha256")) or not _int(entry.get("bytes")):
            raise ValidationError(MANIFEST, f"files 中 {name} 的 sha256 或 bytes 有误")
    return manifest


def parse_csv(data: bytes, key: str) -> dict[str, dict]:
    """A pack's CSV file as records by their key column (a later duplicate key wins)."""
    text = data.decode("utf-8", errors="replace").removeprefix(BOM)
    try:
        return {row.get(key) or "": dict(row) for row in csv.DictReader(io.StringIO(text, newline=""))}
    except csv.Error as e:         # not the CSV the pack was built with: one record that differs, named so
        return {f"（无法解析：{e}）": {"content": text[:200]}}


def parse_jsonl(data: bytes, key: str) -> dict[str, dict]:
    """A pack's JSON-lines file as records by `key`; a line that is not a JSON object is kept by its line
    number so that it still shows up as a difference."""
    out = {}
    for number, line in enumerate(data.decode("utf-8", errors="replace").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            record = None
        if not isinstance(record, dict):
            out[f"第 {number} 行（无法解析）"] = {"line": line}
            continue
        # a line without the key (the chain head line of audit_events.jsonl) goes by its one field's name
        out[str(record[key]) if key in record else next(iter(record), "")] = record
    return out


__all__ = ["FORMAT", "MANIFEST", "FileDigest", "PackWriter", "cell", "csv_lines", "digest_of", "jsonl_lines",
           "member_digest", "open_pack", "parse_csv", "parse_jsonl", "read_manifest"]
