from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

UNIT_KIND_CHOICES = [
    ("bureau", _l("局机关")),
    ("department", _l("内设科室")),
    ("affiliated", _l("直属单位")),
    ("district", _l("区县局")),
    ("other", _l("其他")),
]


class UnitForm(FlaskForm):
    code = StringField(_l("单位编码"), validators=[DataRequired(), Length(max=40)])
    name = StringField(_l("单位名称"), validators=[DataRequired(), Length(max=120)])
    kind = SelectField(_l("单位类型"), choices=UNIT_KIND_CHOICES)
    parent_id = SelectField(_l("上级单位"), coerce=int, validators=[Optional()])
    sort_order = IntegerField(_l("排序"), default=0, validators=[Optional(), NumberRange(-9999, 9999)])
    submit = SubmitField(_l("保存"))


class MoveUnitForm(FlaskForm):
    parent_id = SelectField(_l("移动到"), coerce=int)
    submit = SubmitField(_l("移动"))


class ConfirmForm(FlaskForm):
    """A bare CSRF-protected button."""
    submit = SubmitField(_l("确认"))


class PersonForm(FlaskForm):
    username = StringField(_l("工号"), validators=[DataRequired(), Length(min=2, max=64)])
    name = StringField(_l("姓名"), validators=[DataRequired(), Length(max=64)])
    unit_id = SelectField(_l("所在单位"), coerce=int)
    position = StringField(_l("职务"), validators=[Optional(), Length(max=80)])
    email = StringField(_l("邮箱"), validators=[Optional(), Length(max=200)],
                        description=_l("用于接收考试提醒邮件（可不填）"),
                        render_kw={"autocomplete": "off", "inputmode": "email"})
    on_post = BooleanField(_l("在编在岗"), default=True)
    is_enforcement = BooleanField(_l("执法岗位"))
    is_supervision = BooleanField(_l("监督岗位"))
    is_leader = BooleanField(_l("领导干部"))
    role_employee = BooleanField(_l("学员"), default=True)
    role_unit_admin = BooleanField(_l("单位管理员"))
    scope_unit_admin = SelectField(_l("管理范围"), coerce=int, validators=[Optional()])
    role_auditor = BooleanField(_l("审计督查"))
    scope_auditor = SelectField(_l("督查范围"), coerce=int, validators=[Optional()])
    role_admin = BooleanField(_l("系统管理员"))
    password = PasswordField(_l("初始密码（留空则自动生成）"), validators=[Optional(), Length(max=256)],
                             render_kw={"autocomplete": "new-password"})
    submit = SubmitField(_l("保存"))

    def roles_value(self) -> dict[str, int | None]:
        roles: dict[str, int | None] = {}
        if self.role_employee.data:
            roles["employee"] = None
        if self.role_unit_admin.data:
            roles["unit_admin"] = self.scope_unit_admin.data or None
        if self.role_auditor.data:
            roles["auditor"] = self.scope_auditor.data or None
        if self.role_admin.data:
            roles["admin"] = None
        return roles
