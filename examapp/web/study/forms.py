from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateTimeLocalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

CATEGORY_CHOICES = [("required", _l("必修")), ("elective", _l("选修"))]
KIND_CHOICES = [("law_reading", _l("法规学习")), ("document", _l("讲义课件（PDF/图片）")), ("video", _l("视频（MP4）")),
                ("broadcast", _l("庭审直播")), ("offline", _l("线下学习"))]
OFFLINE_CHOICES = [("", _l("（线下学习时选择）")), ("lecture", _l("法治讲座")), ("group_study", _l("集中学习")),
                   ("leader_study", _l("党组中心组学法")), ("oath", _l("宪法宣誓"))]


class CourseForm(FlaskForm):
    title = StringField(_l("课程名称"), validators=[DataRequired(), Length(max=200)])
    year = IntegerField(_l("年度"), validators=[DataRequired(), NumberRange(2000, 2100)])
    category = SelectField(_l("类别"), choices=CATEGORY_CHOICES)
    description = TextAreaField(_l("简介"), validators=[Optional(), Length(max=4000)], render_kw={"rows": 3})
    audience = TextAreaField(_l("学习人员（每行一项：unit_tree:单位编码 含下级 / unit:单位编码 / role:角色 / "
                                "flag:is_enforcement 等 / user:工号）"),
                             validators=[Optional(), Length(max=5000)], render_kw={"rows": 4})


class LessonForm(FlaskForm):
    kind = SelectField(_l("课时类型"), choices=KIND_CHOICES)
    title = StringField(_l("课时名称"), validators=[DataRequired(), Length(max=200)])
    credit_minutes = IntegerField(_l("学时（分钟，在线学习最多计入这么多）"), default=45,
                                  validators=[DataRequired(), NumberRange(1, 600)])
    ordinal = IntegerField(_l("顺序"), validators=[Optional(), NumberRange(0, 9999)])
    law_code = SelectField(_l("法律"), choices=[], validate_choice=False)
    law_part = StringField(_l("章节（如“第二章”；留空为全文）"), validators=[Optional(), Length(max=200)])
    file = FileField(_l("文件（讲义课件：PDF、PNG、JPEG；视频：MP4）"))
    body = TextAreaField(_l("讲义文字"), validators=[Optional(), Length(max=20000)], render_kw={"rows": 5})
    starts_at = DateTimeLocalField(_l("时间"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    link = StringField(_l("直播链接"), validators=[Optional(), Length(max=500)])
    offline_kind = SelectField(_l("线下学习形式"), choices=OFFLINE_CHOICES)
    location = StringField(_l("地点"), validators=[Optional(), Length(max=200)])
