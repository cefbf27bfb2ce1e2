"""The bank file formats: one registry for import and export (no database here).

    name   extensions                    carries its law   can hold
    yaml   .yaml .yml                    yes               everything
    xlsx   .xlsx                         说明 sheet         everything
    docx   .docx                         法律代码： line     all; case questions only for reading
    gift   .gift .gift.txt               // law: comment   single, multiple, judge, one-blank fill
    aiken  .aiken.txt .aiken .txt        no                single (one line per text)

A plain .txt is Aiken unless its content looks like GIFT (an unescaped {…} answer block): pass the
data to format_for to have it looked at. parse(filename, data, law) uses `law` when the file does not
name one. Exports write the questions the format can hold and leave the others out (left_out says
which and why); Word writes case questions for reading, and refuses them on import. Every parser returns a BankDoc whose errors name the file, the item (id, row or question
number) and the field; nothing is imported from a file with errors (the caller's rule, all or nothing).
"""
import re
from collections.abc import Callable
from dataclasses import dataclass

from . import bank_aiken, bank_docx, bank_gift, bank_xlsx
from .bank_yaml import BankDoc, export_bank, parse_bank


@dataclass(frozen=True)
class BankFormat:
    name: str
    label: str
    extensions: tuple[str, ...]          # the first is the one exports are named with
    media_type: str
    parse: Callable[[str, bytes, str], BankDoc]
    export: Callable[[str, str, list[dict]], bytes]
    # why a question is left out of an export in this format (None when it is written)
    cannot_hold: Callable[[dict], str | None]
    template: Callable[[], bytes] | None = None

    def left_out(self, questions: list[dict]) -> list[tuple[str, str]]:
        """(id, reason) of the questions an export in this format leaves out: report them to the user."""
        return [(q["id"], reason) for q in questions if (reason := self.cannot_hold(q)) is not None]

    def filename(self, law: str) -> str:
        return law + self.extensions[0]


def _parse_yaml(filename: str, data: bytes, law: str) -> BankDoc:
    return parse_bank(filename, data)  # a YAML bank names its own law


def _export_yaml(law: str, title: str, questions: list[dict]) -> bytes:
    return export_bank(law, title, questions).encode("utf-8")


def _holds_all(q: dict) -> None:
    return None


FORMATS: dict[str, BankFormat] = {f.name: f for f in (
    BankFormat("yaml", "YAML 题库文件", (".yaml", ".yml"), "application/yaml", _parse_yaml, _export_yaml,
               _holds_all),
    BankFormat("xlsx", "Excel 表格", (".xlsx",),
               "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
               bank_xlsx.parse_xlsx, bank_xlsx.export_xlsx, bank_xlsx.cannot_hold, bank_xlsx.template_xlsx),
    BankFormat("docx", "Word 文档", (".docx",),
               "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
               bank_docx.parse_docx, bank_docx.export_docx, bank_docx.cannot_hold, bank_docx.template_docx),
    BankFormat("gift", "Moodle GIFT", (".gift", ".gift.txt"), "text/plain; charset=utf-8",
               bank_gift.parse_gift, bank_gift.export_gift, bank_gift.cannot_hold),
    BankFormat("aiken", "Aiken（单选题）", (".aiken.txt", ".aiken", ".txt"), "text/plain; charset=utf-8",
               bank_aiken.parse_aiken, bank_aiken.export_aiken, bank_aiken.cannot_hold),
)}

_BY_EXTENSION = sorted(((ext, f) for f in FORMATS.values() for ext in f.extensions), key=lambda e: -len(e[0]))
_GIFT_BLOCK = re.compile(rb"(?<!\\)\{[^{}]*(?<!\\)\}")


def format_for(filename: str, data: bytes | None = None) -> BankFormat | None:
    """The format of a file by its extension (the longest that matches); .txt by its content if given."""
    name = filename.lower()
    found = next((f for ext, f in _BY_EXTENSION if name.endswith(ext)), None)
    if found is FORMATS["aiken"] and name.endswith(".txt") and not name.endswith(".aiken.txt") \
            and data is not None and _GIFT_BLOCK.search(data):
        return FORMATS["gift"]
    return found


def template(name: str) -> bytes | None:
    """An import template (xlsx: headers and the 说明 sheet; docx: a sample in the office layout)."""
    fmt = FORMATS.get(name)
    return fmt.template() if fmt is not None and fmt.template is not None else None
