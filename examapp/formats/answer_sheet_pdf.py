"""The printable answer sheet (reportlab): the person, the attempt and its result, then every question as it
was shown with the response, the key and the points. Deterministic (`invariant=1`): the same sheet always
gives the same bytes, so an evidence pack can be checked by hashes. No DB, no Flask."""
import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from ..domain.answer_sheet import AnswerSheet, SheetItem, SheetQuestion, number_text
from .certificate_pdf import font_name

INK = colors.HexColor("#1f2933")
GREY = colors.HexColor("#52606d")
RIGHT = colors.HexColor("#1e7b34")
WRONG = colors.HexColor("#b22222")


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=font, fontSize=10, leading=15, textColor=INK, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=17, leading=24, alignment=1, spaceAfter=2 * mm),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=11, alignment=1, textColor=GREY,
                                   spaceAfter=4 * mm),
        "cell": base,
        "stem": ParagraphStyle("stem", parent=base, fontSize=10.5, leading=16, spaceBefore=3 * mm),
        "option": ParagraphStyle("option", parent=base, leftIndent=6 * mm),
        "line": ParagraphStyle("line", parent=base, leftIndent=6 * mm, textColor=GREY),
        "item": ParagraphStyle("item", parent=base, leftIndent=6 * mm, spaceBefore=1.5 * mm),
        "itemline": ParagraphStyle("itemline", parent=base, leftIndent=12 * mm, textColor=GREY),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def _mark(correct: bool | None) -> str:
    if correct is None:
        return ""
    color = RIGHT.hexval()[2:] if correct else WRONG.hexval()[2:]
    return f' <font color="#{color}">{"（正确）" if correct else "（错误）"}</font>'


def _header(sheet: AnswerSheet, st: dict) -> list:
    attempt = f"第 {sheet.number} 次" + ("（补考）" if sheet.makeup else "")
    score = "—" if sheet.status != "submitted" else ("待阅卷" if sheet.pending_manual else number_text(sheet.score))
    rows = [
        ("工号", sheet.username, "姓名", sheet.name),
        ("单位", f"{sheet.unit_name}（{sheet.unit_code}）", "作答", attempt),
        ("开始时间", sheet.started_at, "交卷时间", sheet.submitted_at or "未交卷"),
        ("成绩", f"{score} / {number_text(sheet.total_points)}", "结果",
         f"{sheet.result_label}（及格 {number_text(sheet.pass_mark)} 分）"),
    ]
    table = Table([[_p(c, st["cell"]) for c in row] for row in rows], colWidths=[22 * mm, 63 * mm, 22 * mm, 63 * mm])
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#c5ccd3")),
        ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f1f3f5")),
        ("BACKGROUND", (2, 0), (2, -1), colors.HexColor("#f1f3f5")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]))
    return [_p(f"答卷：{sheet.exam_title}", st["title"]),
            _p(f"作答编号 {sheet.attempt_id} · 考试编号 {sheet.exam_id}", st["subtitle"]), table, Spacer(1, 4 * mm)]


def _item(item: SheetItem, st: dict) -> list:
    out = [_p(f"（{item.number}）[{item.type_label}] {item.stem}", st["item"])]
    out += [_p(option, st["itemline"]) for option in item.options]
    if item.hand_graded:
        marks = "待阅卷" if item.final_points is None else number_text(item.final_points)
        out.append(_p(f"作答：{item.response}", st["itemline"]))
        out.append(_p(f"参考答案：{item.answer}", st["itemline"]))
        out.append(_p(f"阅卷得分：{marks} / {number_text(item.max_points)}", st["itemline"]))
    else:
        out.append(Paragraph(f"{escape(f'作答：{item.response}　正确答案：{item.answer}')}{_mark(item.correct)}",
                             st["itemline"]))
    return out


def _question(q: SheetQuestion, st: dict) -> KeepTogether | list:
    parts = [_p(f"{q.number}. [{q.type_label}]（{number_text(q.points)} 分）{q.stem}", st["stem"])]
    parts += [_p(option, st["option"]) for option in q.options]
    for item in q.items:
        parts += _item(item, st)
    if not q.items:
        corrected = "（答案已更正）" if q.key_corrected else ""
        parts.append(_p(f"作答：{q.response}　正确答案：{q.answer}{corrected}", st["line"]))
    elif q.key_corrected:
        parts.append(_p("（答案已更正）", st["line"]))
    awarded = "未评分" if q.awarded is None else f"{number_text(q.awarded)} / {number_text(q.points)}"
    parts.append(Paragraph(f"{escape(f'得分：{awarded}')}{_mark(q.correct)}", st["line"]))
    return KeepTogether(parts) if len(parts) <= 12 else parts


def render(sheet: AnswerSheet) -> bytes:
    font = font_name()
    st = _styles(font)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm,
                            bottomMargin=18 * mm, title=f"答卷 {sheet.exam_title} {sheet.username}",
                            author="法治学习考试系统", subject=f"attempt {sheet.attempt_id}", creator="examapp",
                            invariant=1, pageCompression=1)

    def footer(canvas, document):
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.setFillColor(GREY)
        canvas.drawCentredString(A4[0] / 2, 10 * mm,
                                 f"{sheet.exam_title} · {sheet.username} {sheet.name} · 作答编号 {sheet.attempt_id}"
                                 f" · 第 {document.page} 页")
        canvas.restoreState()

    story = _header(sheet, st)
    for q in sheet.questions:
        block = _question(q, st)
        story.extend(block if isinstance(block, list) else [block])
    if not sheet.questions:
        story.append(_p("本次作答没有试题。", st["line"]))
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


__all__ = ["render"]
