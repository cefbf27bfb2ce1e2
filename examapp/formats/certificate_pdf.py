"""The printable certificate (reportlab): one A4 landscape page, the card's fields, a QR code to the public
verify page and, when the certificate is not valid, its status across the page. No DB, no Flask."""
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

# An embedded TrueType font renders the same on every viewer; the CID font needs the reader's own Chinese fonts.
TTF_CANDIDATES = (Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
                  Path("/usr/share/fonts/wqy-microhei/wqy-microhei.ttc"))
CID_FONT = "STSong-Light"
TTF_NAME = "CertificateSans"
_font: str | None = None

RED = colors.HexColor("#b22222")
INK = colors.HexColor("#1f2933")
GREY = colors.HexColor("#52606d")


@dataclass(frozen=True)
class CertificateView:
    """What a printed certificate shows; `status_label` is the effective one (a lapsed "valid" is 已过期)."""

    number: str
    type_label: str          # 行政执法证 / 行政执法监督证
    holder: str
    unit: str
    area: str
    authority: str
    issued_on: date
    expires_on: date
    status: str              # effective status code: valid, expired, suspended, …
    status_label: str
    verify_url: str


def font_name() -> str:
    """Register the Chinese font once: the TrueType one when installed, else reportlab's built-in CID font."""
    global _font
    if _font is None:
        for path in TTF_CANDIDATES:
            if path.exists():
                try:
                    pdfmetrics.registerFont(TTFont(TTF_NAME, str(path), subfontIndex=0))
                    _font = TTF_NAME
                    break
                except Exception:   # a damaged or unsupported font file: the CID font still works
                    continue
        if _font is None:
            pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
            _font = CID_FONT
    return _font


def _date(value: date) -> str:
    return f"{value.year}年{value.month:02d}月{value.day:02d}日"


def _fit(c: canvas.Canvas, text: str, font: str, size: float, width: float) -> float:
    """The largest size up to `size` at which `text` fits in `width` (long unit names, areas)."""
    while size > 7 and c.stringWidth(text, font, size) > width:
        size -= 0.5
    return size


def _qr(c: canvas.Canvas, url: str, x: float, y: float, side: float) -> None:
    widget = QrCodeWidget(url, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(side, side, transform=[side / (x1 - x0), 0, 0, side / (y1 - y0), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, c, x, y)


def render(view: CertificateView) -> bytes:
    font = font_name()
    buffer = io.BytesIO()
    width, height = landscape(A4)
    c = canvas.Canvas(buffer, pagesize=(width, height), pageCompression=1)
    c.setTitle(f"{view.type_label} {view.number}")
    c.setAuthor(view.authority or "")
    c.setSubject(view.type_label)

    # the frame: a double red border
    c.setStrokeColor(RED)
    c.setLineWidth(3)
    c.rect(15 * mm, 15 * mm, width - 30 * mm, height - 30 * mm)
    c.setLineWidth(0.8)
    c.rect(19 * mm, 19 * mm, width - 38 * mm, height - 38 * mm)

    c.setFillColor(RED)
    c.setFont(font, 34)
    c.drawCentredString(width / 2, height - 48 * mm, view.type_label)
    c.setFillColor(GREY)
    c.setFont(font, 12)
    c.drawCentredString(width / 2, height - 57 * mm, f"证号：{view.number}")

    rows = [("姓　　名", view.holder), ("工作单位", view.unit), ("证件类型", view.type_label),
            ("证件编号", view.number), ("执法区域", view.area or "—"), ("发证日期", _date(view.issued_on)),
            ("有效期至", _date(view.expires_on)), ("发证机关", view.authority or "—"), ("证件状态", view.status_label)]
    left, top, label_w, value_w = 40 * mm, height - 75 * mm, 30 * mm, 130 * mm
    for i, (label, value) in enumerate(rows):
        y = top - i * 11.5 * mm
        c.setFillColor(GREY)
        c.setFont(font, 13)
        c.drawString(left, y, label)
        c.setFillColor(INK)
        c.setFont(font, _fit(c, value, font, 16, value_w))
        c.drawString(left + label_w, y, value)
        c.setStrokeColor(colors.HexColor("#d9dde3"))
        c.setLineWidth(0.5)
        c.line(left + label_w, y - 2.5 * mm, left + label_w + value_w, y - 2.5 * mm)

    side = 50 * mm
    qx, qy = width - 40 * mm - side, height - 80 * mm - side
    _qr(c, view.verify_url, qx, qy, side)
    c.setFillColor(GREY)
    c.setFont(font, 11)
    c.drawCentredString(qx + side / 2, qy - 6 * mm, "扫码核验证件状态")
    c.setFont(font, _fit(c, view.verify_url, font, 8, side + 20 * mm))
    c.drawCentredString(qx + side / 2, qy - 11 * mm, view.verify_url)

    if view.status != "valid":
        # the status across the page: a printout of a dead certificate must not pass for a live one
        c.saveState()
        c.setFillColor(RED)
        c.setFillAlpha(0.22)
        c.translate(width / 2, height / 2)
        c.rotate(28)
        c.setFont(font, 120)
        c.drawCentredString(0, -40, view.status_label)
        c.restoreState()

    c.setFillColor(GREY)
    c.setFont(font, 9)
    c.drawCentredString(width / 2, 24 * mm, "本证件仅限持证人本人在执法区域内使用；证件状态以核验页面显示为准。")
    c.showPage()
    c.save()
    return buffer.getvalue()


__all__ = ["CertificateView", "font_name", "render"]
