"""The question form: text fields in, a question dict out (the same shape as a bank file entry)."""
import re

import yaml
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ...domain import qtypes
from ...domain.answer_keys import key_text, parse_key
from ...domain.cnnum import from_chinese
from ...errors import ValidationError
from ..templating import TYPE_LABELS

TYPE_CHOICES = [(t, TYPE_LABELS[t]) for t in qtypes.TOP_TYPES]


class QuestionForm(FlaskForm):
    ext_id = StringField(_l("编号"), validators=[DataRequired(), Length(max=40)])
    law = SelectField(_l("法律"))
    type = SelectField(_l("题型"), choices=TYPE_CHOICES)
    difficulty = SelectField(_l("难度"), choices=[("1", "1"), ("2", "2"), ("3", "3")])
    stem = TextAreaField(_l("题干（填空题每个空写作 ____）"), validators=[DataRequired(), Length(max=5000)],
                         render_kw={"rows": 4})
    options = TextAreaField(_l("选项（每行一个，不写字母）"), validators=[Optional(), Length(max=3000)],
                            render_kw={"rows": 5})
    answer = TextAreaField(_l("答案（单选 B；多选 ACD；判断 正确/错误；填空每空一行，同义答案用 / 分隔）"),
                           validators=[Optional(), Length(max=2000)], render_kw={"rows": 2})
    items = TextAreaField(_l("案例小题（YAML，格式同题库文件的 items）"), validators=[Optional(), Length(max=20000)],
                          render_kw={"rows": 8})
    articles = StringField(_l("依据条文（如 2, 13 或 第二条、第十三条）"), validators=[DataRequired(), Length(max=300)])
    explanation = TextAreaField(_l("解析"), validators=[Optional(), Length(max=5000)], render_kw={"rows": 3})
    tags = StringField(_l("标签（用顿号或逗号分隔）"), validators=[Optional(), Length(max=300)])
    submit = SubmitField(_l("保存"))

    def to_question(self) -> dict:
        kind = self.type.data
        q = {"type": kind, "difficulty": int(self.difficulty.data), "stem": self.stem.data.strip(),
             "options": [], "answer": None, "articles": parse_articles(self.articles.data),
             "explanation": (self.explanation.data or "").strip(),
             "tags": [t.strip() for t in re.split(r"[、,，;；]", self.tags.data or "") if t.strip()]}
        if kind in ("single", "multiple"):
            q["options"] = [line.strip() for line in (self.options.data or "").splitlines() if line.strip()]
        if kind != "case":
            q["answer"] = parse_key(kind, self.answer.data)
        else:
            try:
                items = yaml.safe_load(self.items.data or "") or []
            except yaml.YAMLError as e:
                raise ValidationError("items", "案例小题的 YAML 格式有误") from e
            if not isinstance(items, list):
                raise ValidationError("items", "案例小题应为列表")
            q["items"] = items
        return q


def parse_articles(text: str) -> list[int]:
    numbers = []
    for part in re.split(r"[、,，;；\s]+", text or ""):
        part = part.strip()
        if not part:
            continue
        match = re.fullmatch(r"第?([0-9零〇一二三四五六七八九十百千]+)条?", part)
        try:
            numbers.append(from_chinese(match.group(1)) if match else -1)
        except ValueError:
            numbers.append(-1)
        if numbers[-1] < 1:
            raise ValidationError("articles", f"无法识别的条号「{part}」")
    return sorted(set(numbers))


def fill_form(form: QuestionForm, ext_id: str, law_code: str, v) -> None:
    form.ext_id.data, form.law.data, form.type.data = ext_id, law_code, v.type
    form.difficulty.data, form.stem.data = str(v.difficulty), v.stem
    form.options.data = "\n".join(v.options or [])
    form.answer.data = key_text(v.type, v.answer)
    form.items.data = yaml.safe_dump(v.items, allow_unicode=True, sort_keys=False) if v.items else ""
    form.articles.data = ", ".join(str(a) for a in v.articles)
    form.explanation.data, form.tags.data = v.explanation, "、".join(v.tags or [])
