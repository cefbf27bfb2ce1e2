"""Uploaded files kept in the instance folder: checked by their first bytes (never by the name alone),
size-limited while copying, stored under a random name so a name can never reach the file system."""
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask import current_app

from ..domain import file_types
from ..errors import ValidationError

CHUNK = 1024 * 1024


@dataclass
class Upload:
    filename: str
    stream: BinaryIO


def folder(name: str) -> Path:
    path = Path(current_app.config["INSTANCE_PATH"]) / "uploads" / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def store(upload: Upload, target_folder: Path, allowed: tuple[str, ...], limit: int, label: str
          ) -> tuple[str, str, int]:
    """Copies the upload under a random name: (stored name, MIME type, size). `label` names what is
    uploaded in the messages."""
    head = upload.stream.read(file_types.HEAD_BYTES)
    mime = file_types.sniff(head)
    names = "、".join(file_types.LABELS[m] for m in allowed)
    if mime not in allowed or not file_types.extension_matches(upload.filename or "", mime):
        raise ValidationError("file", f"文件类型不符：{label}只接受 {names} 文件（按文件内容识别）")
    stored = secrets.token_hex(16)
    target = target_folder / stored
    size = len(head)
    try:
        with open(target, "xb") as out:
            out.write(head)
            while chunk := upload.stream.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise ValidationError("file", f"文件过大：{label}不超过 {limit // (1024 * 1024)} MB")
                out.write(chunk)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return stored, mime, size


__all__ = ["Upload", "folder", "store"]
