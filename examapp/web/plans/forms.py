from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FloatField,
    HiddenField,
    IntegerField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from ...domain.study_plan import parse_audience


class PlanForm(FlaskForm):
    title = StringField(_l("计划名称"), validators=[DataRequired(_l("请填写计划名称")), Length(max=200)])
    year = IntegerField(_l("年度"), validators=[InputRequired(_l("请填写年度")),
                                               NumberRange(2000, 2100, _l("年度应在 2000–2100 之间"))])
    required_hours = FloatField(_l("应修学时"), default=40,
                                validators=[InputRequired(_l("请填写应修学时")),
                                            NumberRange(0.5, 1000, _l("应修学时须在 0.5–1000 之间"))])
    compulsory_hours = FloatField(_l("其中必修学时"), default=30,
                                  validators=[InputRequired(_l("请填写必修学时")),
                                              NumberRange(0, 1000, _l("必修学时须在 0–1000 之间"))])
    deadline = DateTimeLocalField(_l("完成期限"), format="%Y-%m-%dT%H:%M",
                                  validators=[DataRequired(_l("请填写完成期限（年-月-日 时:分）"))])
    count_practice = BooleanField(_l("练习时长计入学时（每答一题计 1 分钟，每天最多 30 分钟）"))
    audience = TextAreaField(_l("适用人员（每行一项：unit_tree:单位编码 含下级 / unit:单位编码 / role:角色 / "
                                "flag:is_enforcement 等 / user:工号；留空为全体）"),
                             validators=[Optional(), Length(max=5000)], render_kw={"rows": 4})

    def validate_compulsory_hours(self, field):
        if field.data is not None and self.required_hours.data is not None and field.data > self.required_hours.data:
            raise ValidationError(_l("必修学时不能超过应修学时"))

    def validate_audience(self, field):
        _entries, problems = parse_audience(field.data or "")
        if problems:
            raise ValidationError("；".join(problems))


class PickForm(FlaskForm):
    """People ticked in the search results (their ids come as repeated `user_id` fields)."""


class UnitAttendanceForm(FlaskForm):
    unit_id = IntegerField(_l("单位"), validators=[InputRequired(_l("请选择单位"))])


class SheetForm(FlaskForm):
    file = FileField(_l("签到表（.xlsx 或 .csv）"),
                     validators=[FileRequired(_l("请选择签到表文件")),
                                 FileAllowed(["xlsx", "csv"], _l("只支持 .xlsx 和 .csv 文件"))])


class SheetApplyForm(FlaskForm):
    token = HiddenField(validators=[DataRequired(), Regexp(r"^[0-9a-f]{32}\.(xlsx|csv)$")])
    filename = HiddenField()
