"""Evidence packs: for a year (and optionally one unit subtree), or one exam of a year (and optionally a
unit), a zip of the roster, the attempts with their answers, an answer sheet PDF per submitted attempt,
the study records, certificates and their events, the approved exemptions and the audit events of those
records, with a manifest of every file's SHA-256 and the audit-chain head it was built at.

Every file is re-derivable from the live database: `verify_pack` checks a pack against its manifest (a
tampered pack) and against the records as they are now, naming each record that was added, removed or
changed. Exporting is recorded in the audit chain (`evidence.export`); those events are never part of a
pack, so exporting a pack does not change it."""
from dataclasses import dataclass, field
from datetime import datetime
from typing import BinaryIO

from sqlalchemy import func, select

from ..domain.record_diff import diff
from ..errors import NotFound, PermissionDenied, ValidationError
from ..extensions import db
from ..formats import evidence_pack as codec
from ..models import Attempt, AuditHead, Certificate, Exam, Exemption, OrgUnit, StudyRecord
from . import audit
from .actors import cli_actor
from .answer_sheets import guard_open_exams
from .evidence_files import DATA_FILES, SHEETS_FOLDER, Resolved, answer_sheet_files, hash_at
from .scope import Scope
from .tx import begin_write, commit

MAX_DIFF_BYTES = 200 * 1024 * 1024     # larger members are compared by hash only
YEARS = range(2000, 2101)


@dataclass(frozen=True)
class PackScope:
    """What a pack covers, as its manifest records it."""

    year: int
    exam: int | None = None
    unit: str | None = None       # a unit code: that unit and everything below it; None: the whole bureau

    def as_dict(self) -> dict:
        return {"year": self.year, "exam": self.exam, "unit": self.unit}

    @property
    def label(self) -> str:
        parts = [f"{self.year} 年度", f"单位 {self.unit}" if self.unit else "全局"]
        if self.exam is not None:
            parts.append(f"考试 #{self.exam}")
        return " · ".join(parts)

    @property
    def filename(self) -> str:
        parts = ["evidence", str(self.year), self.unit or "all"] + ([f"exam{self.exam}"] if self.exam else [])
        return "-".join(parts) + ".zip"


def parse_scope(year, unit=None, exam=None) -> PackScope:
    """A scope from form or command-line values; a ValidationError naming the field otherwise."""
    try:
        year = int(str(year).strip())
    except (TypeError, ValueError):
        raise ValidationError("year", "请填写年度，如 2026") from None
    if year not in YEARS:
        raise ValidationError("year", "年度应在 2000–2100 之间")
    exam_id = None
    if exam not in (None, ""):
        try:
            exam_id = int(str(exam).strip())
        except ValueError:
            raise ValidationError("exam", "考试编号应为数字") from None
    unit = (str(unit).strip() or None) if unit is not None else None
    if unit is not None and len(unit) > 40:
        raise ValidationError("unit", "单位编码过长")
    return PackScope(year, exam_id, unit)


def _resolve(actor, scope: PackScope, *, head_seq: int) -> tuple[PackScope, Resolved]:
    """The scope checked against what `actor` may see. A unit admin or auditor who names no unit gets their
    own subtree (the manifest then names it, so that the pack re-derives the same for anyone)."""
    seen = Scope.of(actor)
    if seen.is_empty:
        raise NotFound("单位不存在")
    unit = None
    if scope.unit is not None:
        unit = seen.unit_by_code(scope.unit)
        if unit is None:
            raise NotFound(f"单位 {scope.unit} 不存在")
    elif not seen.everything:
        if len(seen.paths) != 1:
            raise ValidationError("unit", "请选择单位")
        unit = db.session.execute(select(OrgUnit).where(OrgUnit.path == seen.paths[0])).scalar_one()
        scope = PackScope(scope.year, scope.exam, unit.code)
    if scope.exam is not None:
        exam = db.session.get(Exam, scope.exam)
        if exam is None:
            raise NotFound("考试不存在")
        if exam.year != scope.year:
            raise ValidationError("exam", f"考试「{exam.title}」属于 {exam.year} 年度，不属于 {scope.year} 年度")
    return scope, Resolved(scope.year, scope.exam, unit.path if unit else None, head_seq)


def _chain_head_seq() -> int:
    return db.session.scalar(select(AuditHead.seq).where(AuditHead.id == 1)) or 0


def _exams_in(r: Resolved) -> list[Exam]:
    return list(db.session.scalars(select(Exam).where(Exam.id.in_(r.exam_ids())).order_by(Exam.id)))


# -- what a pack will hold ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Preview:
    scope: PackScope
    people: int
    attempts: int
    answer_sheets: int
    study_records: int
    certificates: int
    exemptions: int


def preview(actor, scope: PackScope, *, now: datetime) -> Preview:
    """The counts the download page shows before building (a year's pack may take a while)."""
    scope, r = _resolve(actor, scope, head_seq=_chain_head_seq())
    guard_open_exams(actor, _exams_in(r), now=now)

    def count(stmt) -> int:
        return db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0

    return Preview(
        scope, count(r.people()), count(r.attempt_ids()),
        count(r.attempt_ids().where(Attempt.status == "submitted")),
        count(select(StudyRecord.id).where(StudyRecord.year == r.year, StudyRecord.user_id.in_(r.people()))),
        count(select(Certificate.id).where(Certificate.holder_id.in_(r.people()))),
        count(select(Exemption.id).where(Exemption.status == "approved", Exemption.year == r.year,
                                         Exemption.user_id.in_(r.people()))))


def unit_choices(actor) -> list[OrgUnit]:
    return list(db.session.scalars(Scope.of(actor).units().order_by(OrgUnit.path)))


def exam_choices(year: int) -> list[Exam]:
    return list(db.session.scalars(select(Exam).where(Exam.year == year, Exam.status != "draft")
                                   .order_by(Exam.opens_at, Exam.id)))


# -- building --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PackResult:
    scope: PackScope
    manifest: dict
    manifest_sha256: str

    @property
    def files(self) -> int:
        return len(self.manifest["files"])


def build_pack(actor, scope: PackScope, *, now: datetime, out: BinaryIO) -> PackResult:
    """Write the pack to `out` (a file or a spooled temporary file: members are streamed into it), then
    record the export in the audit chain and commit."""
    head_seq = _chain_head_seq()
    scope, r = _resolve(actor, scope, head_seq=head_seq)
    guard_open_exams(actor, _exams_in(r), now=now)
    writer = codec.PackWriter(out)
    for data_file in DATA_FILES:
        writer.add(data_file.name, data_file.lines(r))
    for name, pdf in answer_sheet_files(r):
        writer.add(name, [pdf])
    head = {"seq": head_seq, "hash": hash_at(head_seq)}
    manifest = {"format": codec.FORMAT, "scope": scope.as_dict(), "built_at": now.isoformat(),
                "builder": getattr(actor, "username", "system"), "chain_head": head,
                "files": {name: d.as_dict() for name, d in writer.files.items()}}
    digest = writer.finish(manifest)
    begin_write()
    audit.record("evidence.export", actor=actor, now=now, object_type="evidence_pack", object_id=digest,
                 data={"scope": scope.as_dict(), "chain_head": head, "files": len(writer.files)})
    commit()
    return PackResult(scope, manifest, digest)


# -- verifying --------------------------------------------------------------------------------------------

PROBLEMS = {
    "tampered": "文件内容与清单记录的哈希不符（包内文件被改动）",
    "missing": "清单中列出，但证据包中没有这个文件",
    "unlisted": "证据包中有这个文件，但清单中没有",
    "unreadable": "无法读取（文件损坏）",
    "differs": "与数据库重新生成的内容不一致",
    "sheet_added": "数据库中有这份答卷，证据包中没有",
    "sheet_removed": "证据包中有这份答卷，数据库中已没有对应的已交卷作答",
    "sheet_changed": "与按数据库重新生成的答卷不一致",
}


@dataclass(frozen=True)
class Difference:
    file: str
    problem: str        # a PROBLEMS key, or added | removed | changed for one record
    key: str = ""
    key_label: str = ""
    field: str = ""
    pack: str | None = None
    live: str | None = None

    def __str__(self) -> str:
        where = f"{self.key_label} {self.key}"
        if self.problem == "added":
            return f"{self.file}：新增记录 {where}（数据库中有，证据包中没有）"
        if self.problem == "removed":
            return f"{self.file}：记录 {where} 已不在数据库中（证据包中有）"
        if self.problem == "changed":
            return f"{self.file}：记录 {where} 的「{self.field}」不同：证据包中为 {self.pack!r}，数据库中为 {self.live!r}"
        return f"{self.file}：{PROBLEMS.get(self.problem, self.problem)}"


@dataclass
class PackVerification:
    scope: PackScope
    built_at: str
    builder: str
    chain_head: dict
    checked_at: datetime
    files: int
    tampered: list[Difference] = field(default_factory=list)      # the pack against its own manifest
    differences: list[Difference] = field(default_factory=list)   # the pack against the database now

    @property
    def ok(self) -> bool:
        return not self.tampered and not self.differences

    @property
    def summary(self) -> str:
        if self.ok:
            return (f"一致：证据包（{self.scope.label}，{self.built_at} 由 {self.builder} 生成）的 {self.files} 个文件"
                    f"与清单哈希相符，且与数据库当前记录重新生成的内容完全一致。")
        return (f"不一致：{len(self.tampered)} 处与清单不符，{len(self.differences)} 处与数据库当前记录不同。")


def _records(data_file, data: bytes) -> dict[str, dict]:
    if data_file.kind == "csv":
        return codec.parse_csv(data, data_file.key)
    return codec.parse_jsonl(data, data_file.key)


def _live_bytes(data_file, r: Resolved) -> bytes:
    return b"".join(data_file.lines(r))


def verify_pack(data: bytes, *, now: datetime, actor=None, filename: str = "证据包") -> PackVerification:
    """Check a pack: (a) each file against the manifest's hash, (b) each file against the same file derived
    from the database now, for the manifest's scope and chain position, naming the records that differ.
    `actor` limits which scopes can be checked (None: the system, as on the command line)."""
    actor = actor if actor is not None else cli_actor()
    pack = codec.open_pack(data, filename)
    manifest = codec.read_manifest(pack)
    claimed = PackScope(manifest["scope"]["year"], manifest["scope"]["exam"], manifest["scope"]["unit"])
    try:
        scope, r = _resolve(actor, claimed, head_seq=manifest["chain_head"]["seq"])
    except (NotFound, PermissionDenied, ValidationError) as e:
        raise ValidationError(codec.MANIFEST, f"无法核验该范围（{claimed.label}）：{e.message}") from None
    if scope != claimed:        # a pack of the whole bureau, checked by someone who sees one subtree
        raise ValidationError(codec.MANIFEST, f"无法核验该范围（{claimed.label}）：超出您可查看的单位范围")
    listed = manifest["files"]
    result = PackVerification(scope, str(manifest.get("built_at", "")), str(manifest.get("builder", "")),
                              manifest["chain_head"], now, len(listed))

    # (a) the zip against its manifest
    members = {info.filename: info for info in pack.infolist() if not info.is_dir()}
    in_pack: dict[str, str | None] = {}
    for name in sorted(listed):
        if name not in members:
            result.tampered.append(Difference(name, "missing"))
            continue
        digest = codec.member_digest(pack, name)
        in_pack[name] = digest.sha256 if digest else None
        if digest is None:
            result.tampered.append(Difference(name, "unreadable"))
        elif digest.sha256 != listed[name]["sha256"]:
            result.tampered.append(Difference(name, "tampered"))
    for name in sorted(set(members) - set(listed) - {codec.MANIFEST}):
        result.tampered.append(Difference(name, "unlisted"))

    # (b) the pack's copy (or, where it is missing, the manifest's hash) against the database now
    known = {f.name for f in DATA_FILES}
    for data_file in DATA_FILES:
        live = codec.digest_of(data_file.lines(r))
        pack_hash = in_pack.get(data_file.name) or (listed.get(data_file.name) or {}).get("sha256")
        if pack_hash == live.sha256:
            continue
        if in_pack.get(data_file.name) and members[data_file.name].file_size <= MAX_DIFF_BYTES:
            changes = diff(_records(data_file, pack.read(data_file.name)), _records(data_file, _live_bytes(data_file, r)))
            result.differences.extend(Difference(data_file.name, c.change, c.key, data_file.key_label, c.field,
                                                 c.pack, c.live) for c in changes)
            if changes:
                continue
        result.differences.append(Difference(data_file.name, "differs"))
    live_sheets = dict((name, codec.digest_of([pdf]).sha256) for name, pdf in answer_sheet_files(r))
    pack_sheets = {name: in_pack.get(name) or entry["sha256"] for name, entry in listed.items()
                   if name.startswith(SHEETS_FOLDER)}
    for name in sorted(set(live_sheets) | set(pack_sheets)):
        if name not in pack_sheets:
            result.differences.append(Difference(name, "sheet_added"))
        elif name not in live_sheets:
            result.differences.append(Difference(name, "sheet_removed"))
        elif pack_sheets[name] != live_sheets[name]:
            result.differences.append(Difference(name, "sheet_changed"))
    for name in sorted(set(listed) - known - set(pack_sheets)):
        result.differences.append(Difference(name, "differs"))
    return result


__all__ = ["Difference", "PackResult", "PackScope", "PackVerification", "Preview", "build_pack", "exam_choices",
           "parse_scope", "preview", "unit_choices", "verify_pack"]
