from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FloatField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from ...domain.ip_ranges import parse_ranges

KIND_CHOICES = [("annual", _l("年度普法考试")), ("qualification_major", _l("资格考试（专业）")),
                ("qualification_public", _l("资格考试（公共）")), ("competition", _l("竞赛")), ("mock", _l("模拟考试"))]
COUNTING_CHOICES = [("best", _l("最高一次")), ("last", _l("最后一次")), ("first", _l("第一次")), ("average", _l("平均"))]
VISIBILITY_CHOICES = [("immediately", _l("交卷后立即")), ("after_close", _l("考试结束后")), ("never", _l("不公布"))]


class ExamForm(FlaskForm):
    title = StringField(_l("考试名称"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("类型"), choices=KIND_CHOICES)
    year = IntegerField(_l("年度"), validators=[DataRequired(), NumberRange(2000, 2100)])
    opens_at = DateTimeLocalField(_l("开始时间"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()])
    closes_at = DateTimeLocalField(_l("结束时间"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()])
    duration_minutes = IntegerField(_l("答题时长（分钟）"), default=90, validators=[DataRequired(), NumberRange(1, 600)])
    total_points = FloatField(_l("满分"), default=100, validators=[DataRequired(), NumberRange(1, 1000)])
    pass_mark = FloatField(_l("及格分"), default=60, validators=[DataRequired(), NumberRange(0, 1000)])
    attempts_allowed = IntegerField(_l("允许作答次数"), default=3, validators=[DataRequired(), NumberRange(1, 20)])
    counting = SelectField(_l("计分方式"), choices=COUNTING_CHOICES)
    makeup_opens_at = DateTimeLocalField(_l("补考开始"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    makeup_closes_at = DateTimeLocalField(_l("补考结束"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    results_visibility = SelectField(_l("成绩公布"), choices=VISIBILITY_CHOICES)
    answers_visibility = SelectField(_l("答案公布"), choices=VISIBILITY_CHOICES, default="after_close")
    shuffle_questions = BooleanField(_l("打乱题目顺序"), default=True)
    shuffle_options = BooleanField(_l("打乱选项顺序"), default=True)
    navigation = SelectField(_l("导航"), choices=[("free", _l("可自由跳转")), ("sequential", _l("只能依次作答"))])
    one_per_page = BooleanField(_l("每页一题"), default=True)
    partial_credit = BooleanField(_l("多选题少选得部分分"))
    tab_switch_threshold = IntegerField(_l("切屏次数阈值（超过即在监控中标出，留空不限）"),
                                        validators=[Optional(), NumberRange(0, 100)])
    integrity_auto_submit = BooleanField(_l("切屏超过阈值时自动交卷（按已保存的答案）"))
    ip_ranges_text = TextAreaField(_l("限定网段（每行一个，如 10.12.0.0/16；留空不限）"),
                                   validators=[Optional(), Length(max=2000)], render_kw={"rows": 2})
    requires_study_hours = BooleanField(_l("学时达标方可参考"))

    def validate_ip_ranges_text(self, field):
        _good, bad = parse_ranges(field.data or "")
        if bad:
            raise ValidationError(_l("无法识别的地址或网段：%(x)s", x="、".join(bad)))

    def validate_integrity_auto_submit(self, field):
        if field.data and self.tab_switch_threshold.data is None:
            raise ValidationError(_l("自动交卷须先设置切屏次数阈值"))


class RulesForm(FlaskForm):
    rules = TextAreaField(_l("抽题规则（每行：法律代码, 题型, 难度(0 不限), 题数, 每题分值）"),
                          validators=[Optional(), Length(max=5000)], render_kw={"rows": 8})


class AudienceForm(FlaskForm):
    audience = TextAreaField(_l("参考人员（每行一项：unit_tree:单位编码 含下级 / unit:单位编码 / role:角色 / "
                                "flag:is_enforcement 等 / user:工号）"),
                             validators=[Optional(), Length(max=5000)], render_kw={"rows": 5})


class OverrideForm(FlaskForm):
    usernames = StringField(_l("工号（多个用逗号分隔）"), validators=[Optional(), Length(max=2000)])
    unit_code = StringField(_l("或整个单位（含下级）的编码"), validators=[Optional(), Length(max=40)])
    extra_minutes = IntegerField(_l("延长时间（分钟）"), default=0, validators=[Optional(), NumberRange(0, 600)])
    extra_attempts = IntegerField(_l("增加作答次数"), default=0, validators=[Optional(), NumberRange(0, 10)])
    opens_at = DateTimeLocalField(_l("单独考试开始"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    closes_at = DateTimeLocalField(_l("单独考试结束"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    reason = StringField(_l("原因"), validators=[DataRequired(), Length(max=400)])


_REASON = [DataRequired(_l("请填写原因")), Length(max=400, message=_l("原因不超过 400 个字符"))]


class AddTimeForm(FlaskForm):
    """One row of the live monitor: N more minutes for a running attempt."""
    minutes = IntegerField(_l("加时（分钟）"), default=10,
                           validators=[DataRequired(_l("加时须为 1–600 分钟的整数")),
                                       NumberRange(1, 600, _l("加时须为 1–600 分钟的整数"))])
    reason = StringField(_l("原因"), validators=_REASON)


class ReopenForm(FlaskForm):
    """One row of the live monitor: one more attempt for a person whose attempt was submitted."""
    reason = StringField(_l("原因"), validators=_REASON)


def _tz() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def to_utc(local: datetime | None) -> datetime | None:
    """The form's local (bureau) time as naive UTC, the way times are stored."""
    if local is None:
        return None
    return local.replace(tzinfo=_tz()).astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def to_local(utc: datetime | None) -> datetime | None:
    if utc is None:
        return None
    return utc.replace(tzinfo=ZoneInfo("UTC")).astimezone(_tz()).replace(tzinfo=None)
