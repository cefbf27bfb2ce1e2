"""Law texts: Markdown or plain text with `第X条` lines (the national database's layout), and .docx.

Parsed into a LawDoc: title, the metadata lines before the body (dates), the parts (编/分编/章/节) and
the articles with their paragraphs (款). No database here.
"""
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePath

from ..domain.cnnum import from_chinese
from ..errors import ValidationError
from .text import NotText, decode_text

NUMERAL = "零〇一二三四五六七八九十百千万两0-9"
ARTICLE_RE = re.compile(rf"^第([{NUMERAL}]+)条(?:[\s\u3000]+|$)(.*)$")
HEADING_RE = re.compile(rf"^第([{NUMERAL}]+)(编|分编|章|节)(?:[\s\u3000]*)(.*)$")
NAMED_PARTS = {"序言", "总则", "附则"}
KIND_LEVEL = {"编": 1, "分编": 2, "章": 3, "节": 4}
DATE_RE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日")
CJK_GAP = re.compile(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")


@dataclass
class PartDoc:
    kind: str            # 编 | 分编 | 章 | 节 | 序言/总则/附则 (named parts)
    number: int | None   # 3 for 第三章; None for named parts
    title: str           # the whole heading as shown: 第三章 法人
    level: int           # 1 编 · 2 分编 · 3 章 · 4 节 (named parts sit at the level of their heading)
    intro: list[str] = field(default_factory=list)   # paragraphs before the first article (序言)


@dataclass
class ArticleDoc:
    number: int
    label: str           # 第一千二百六十条
    paragraphs: list[str]
    part_index: int | None   # index into LawDoc.parts of the innermost part


@dataclass
class LawDoc:
    code: str
    title: str
    meta: list[str]
    parts: list[PartDoc] = field(default_factory=list)
    articles: list[ArticleDoc] = field(default_factory=list)

    @property
    def dates(self) -> list[str]:
        return [m.group(0) for line in self.meta for m in DATE_RE.finditer(line)]


def tidy_heading(text: str) -> str:
    """'第二节  监  护' → '第二节 监护': the spaces of typeset headings are not part of the name."""
    text = re.sub(r"\s+", " ", text.strip())  # \s covers the en and ideographic spaces of typeset texts
    text = CJK_GAP.sub("", text)
    m = HEADING_RE.match(text)
    if m:
        return f"第{m.group(1)}{m.group(2)} {m.group(3).strip()}".strip()
    return text


def _classify_heading(text: str) -> tuple[str, int | None] | None:
    m = HEADING_RE.match(text)
    if m:
        try:
            return m.group(2), from_chinese(m.group(1))
        except ValueError:
            return None
    bare = text.replace(" ", "")
    if bare in NAMED_PARTS or (bare.endswith("编") and len(bare) <= 8):
        return ("编" if bare.endswith("编") else bare), None
    return None


def parse_lines(code: str, filename: str, lines: list[tuple[int, str, bool]]) -> LawDoc:
    """lines: (line number, text, is_markdown_heading). Raises ValidationError naming file and line."""
    title = ""
    meta: list[str] = []
    doc = LawDoc(code, "", meta)
    in_body = False
    current_article: ArticleDoc | None = None
    current_part: int | None = None
    stack: list[int] = []   # indexes of open parts, outermost first
    expected = 1
    for lineno, raw, is_heading in lines:
        text = raw.strip()
        if not text or text.startswith("<!--"):
            if "INFO END" in text:
                in_body = True
            continue
        if not title:
            title = text.lstrip("#").strip()
            continue
        article = ARTICLE_RE.match(text)
        heading = None if article else _classify_heading(tidy_heading(text.lstrip("#").strip()))
        if article:
            in_body = True
            try:
                number = from_chinese(article.group(1))
            except ValueError as e:
                raise ValidationError(f"{filename} 第 {lineno} 行", f"无法识别的条号「第{article.group(1)}条」") from e
            if number != expected:
                raise ValidationError(f"{filename} 第 {lineno} 行",
                                      f"条号不连续：应为第 {expected} 条，实为第 {number} 条")
            expected += 1
            current_article = ArticleDoc(number, f"第{article.group(1)}条",
                                         [article.group(2).strip()] if article.group(2).strip() else [], current_part)
            doc.articles.append(current_article)
            continue
        if heading and (is_heading or not in_body or len(text) <= 40):
            in_body = True
            kind, number = heading
            level = KIND_LEVEL.get(kind, 1 if kind != "序言" else 1)
            if kind in NAMED_PARTS and is_heading and raw.startswith("##"):
                level = 3
            while stack and doc.parts[stack[-1]].level >= level:
                stack.pop()
            doc.parts.append(PartDoc(kind, number, tidy_heading(text.lstrip("#").strip()), level))
            stack.append(len(doc.parts) - 1)
            current_part = stack[-1]
            current_article = None
            continue
        if is_heading:  # an empty or unnamed heading (the Civil Code's 附则 has one)
            continue
        if not in_body:
            meta.append(text)
        elif current_article is not None:
            current_article.paragraphs.append(text)
        elif current_part is not None:
            doc.parts[current_part].intro.append(text)
        else:
            meta.append(text)
    doc.title = title
    if not title:
        raise ValidationError(filename, "文件为空或没有标题")
    if not doc.articles:
        raise ValidationError(filename, "没有找到任何“第X条”开头的条文")
    return doc


def parse_text(filename: str, data: bytes) -> LawDoc:
    """Markdown (# headings) or plain text."""
    try:
        text = decode_text(data)
    except NotText as e:
        raise ValidationError(filename, e.reason) from e
    lines = [(i, line.replace("<!-- FORCE BREAK -->", ""), line.lstrip().startswith("#"))
             for i, line in enumerate(text.splitlines(), start=1)]
    return parse_lines(law_code(filename), filename, lines)


def parse_docx(filename: str, data: bytes) -> LawDoc:
    """A Word file as the national database publishes it: title, dates, chapter headings, articles."""
    from docx import Document
    try:
        document = Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as e:
        raise ValidationError(filename, "不是有效的 Word (.docx) 文件") from e
    except Exception as e:  # python-docx raises its own types for damaged packages
        raise ValidationError(filename, "Word 文件已损坏，无法读取") from e
    lines = []
    for i, paragraph in enumerate(document.paragraphs, start=1):
        style = (paragraph.style.name or "").lower() if paragraph.style is not None else ""
        lines.append((i, paragraph.text, style.startswith(("heading", "title", "标题"))))
    return parse_lines(law_code(filename), filename, lines)


PARSERS = {".md": parse_text, ".markdown": parse_text, ".txt": parse_text, ".docx": parse_docx}


def law_code(filename: str) -> str:
    return PurePath(filename).stem


def parse_law(filename: str, data: bytes) -> LawDoc:
    parser = PARSERS.get(PurePath(filename).suffix.lower())
    if parser is None:
        raise ValidationError(filename, "只支持 .md、.txt 和 .docx 法律文本")
    if not re.fullmatch(r"[a-z][a-z0-9_]{1,62}", law_code(filename)):
        raise ValidationError(filename, "文件名须为法律代码（小写字母、数字、下划线），如 constitution.md")
    return parser(filename, data)
