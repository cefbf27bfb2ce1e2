"""The annual summary (年度学法考法工作情况) as a Word document (python-docx): a title, the unit and the date,
a paragraph of prose built from the figures, then one table per group (学法 / 考法 / 执法资格) with this
year, last year and the change, and the figures' digest for checking against the live records."""
import io
from datetime import date

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from ..domain import annual_summary as calc

FONT = "宋体"
HEADERS = ("项目", "本年度", "上年度", "增减", "增减幅度")
RATE_NOTE = "注：比率的增减以百分点计；“—”表示无可计算的基数。"


def _cjk(run, size: float | None = None, bold: bool = False) -> None:
    run.font.name = FONT
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    if size:
        run.font.size = Pt(size)
    run.bold = bold


def _paragraph(doc, text: str, *, size: float = 12, bold: bool = False, center: bool = False, style=None):
    p = doc.add_paragraph(style=style)
    _cjk(p.add_run(text), size, bold)
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return p


def _cell(cell, text: str, *, bold: bool = False, right: bool = False) -> None:
    p = cell.paragraphs[0]
    _cjk(p.add_run(text), 10.5, bold)
    if right:
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _change(f: calc.Figure) -> str:
    text = f.change_text
    return f"{text}个百分点" if f.unit == "rate" and f.change not in (None, 0) else text


def title(summary: calc.Summary) -> str:
    return f"{summary.year}年度学法考法工作情况"


def render(summary: calc.Summary, today: date) -> bytes:
    doc = Document()
    _paragraph(doc, title(summary), size=18, bold=True, center=True)
    _paragraph(doc, f"单位：{summary.unit_name}（含下属单位）　　统计日期：{summary.as_of.isoformat()}　　"
                    f"制表日期：{today.isoformat()}", size=10.5, center=True)
    heading = _paragraph(doc, "一、总体情况", size=14, bold=True)
    heading.paragraph_format.space_before = Pt(12)
    for sentence in calc.prose(summary.year, summary.unit_name, summary.as_of.isoformat(), summary.sections):
        p = _paragraph(doc, sentence)
        p.paragraph_format.first_line_indent = Pt(24)
    for number, section in enumerate(summary.sections, start=2):
        _paragraph(doc, f"{'一二三四五六七八九'[number - 1]}、{section.title}", size=14, bold=True)
        table = doc.add_table(rows=1, cols=len(HEADERS))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, header in zip(table.rows[0].cells, HEADERS, strict=True):
            _cell(cell, header, bold=True)
        for f in section.figures:
            cells = table.add_row().cells
            _cell(cells[0], ("　　" * f.level) + f.label)
            for cell, text in zip(cells[1:], (f.this_text, f.last_text, _change(f), f.relative_text or "—"),
                                  strict=True):
                _cell(cell, text, right=True)
    _paragraph(doc, RATE_NOTE, size=9)
    _paragraph(doc, f"上年度数据的统计日期：{summary.last_as_of.isoformat()}。数据摘要（SHA-256）：{summary.digest}",
               size=9)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


__all__ = ["HEADERS", "render", "title"]
