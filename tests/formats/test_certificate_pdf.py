"""The printable certificate: Chinese text renders (pdftoppm) and can be read back (pdftotext)."""
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from examapp.formats.certificate_pdf import CertificateView, render

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
needs_poppler = pytest.mark.skipif(shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None,
                                   reason="poppler-utils (pdftoppm, pdftotext) is not installed")


def view(**changes) -> CertificateView:
    values = dict(number="ZF-GXJ-WXD-2024-00001", type_label="行政执法证", holder="周明辉", unit="无线电管理科",
                  area="无线电管理", authority="市工业和信息化局", issued_on=date(2024, 1, 10),
                  expires_on=date(2029, 1, 10), status="valid", status_label="有效",
                  verify_url="https://exam.example.gov.cn/verify/ZF-GXJ-WXD-2024-00001")
    values.update(changes)
    return CertificateView(**values)


def text_of(pdf: bytes, tmp_path: Path, mode: str = "-layout") -> str:
    path = tmp_path / "cert.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", mode, str(path), "-"], check=True, capture_output=True, text=True).stdout


def test_a_certificate_is_a_one_page_pdf():
    data = render(view())
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert data.count(b"/Type /Page") - data.count(b"/Type /Pages") == 1


@needs_poppler
def test_chinese_renders_and_is_extractable(tmp_path):
    pdf = tmp_path / "cert.pdf"
    pdf.write_bytes(render(view()))
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-singlefile", str(pdf), str(tmp_path / "cert")], check=True)
    png = tmp_path / "cert.png"
    assert png.stat().st_size > 10_000          # a page with content, not a blank one
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(png, ARTIFACTS / "certificate-pdf.png")
    text = text_of(pdf.read_bytes(), tmp_path)
    for expected in ("行政执法证", "周明辉", "无线电管理科", "ZF-GXJ-WXD-2024-00001", "2029年01月10日",
                     "市工业和信息化局", "有效"):
        assert expected in text, expected


@needs_poppler
def test_a_certificate_that_is_not_valid_says_so_across_the_page(tmp_path):
    text = text_of(render(view(status="revoked", status_label="已吊销", type_label="行政执法监督证",
                               number="JD-GXJ-ZCFG-2022-00003")), tmp_path, "-raw")   # -layout drops rotated text
    assert "行政执法监督证" in text and "JD-GXJ-ZCFG-2022-00003" in text
    assert text.count("已吊销") >= 2           # the status line and the watermark


@needs_poppler
def test_long_names_still_fit_and_read_back(tmp_path):
    unit = "零陵区科技和工业信息化局综合行政执法大队第一中队"
    text = text_of(render(view(unit=unit, area="工业和信息化、无线电管理、节能监察、中小企业促进等领域的行政执法")),
                   tmp_path)
    assert unit in text.replace("\n", "").replace(" ", "")
