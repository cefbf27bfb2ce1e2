"""What a valid username and unit code look like, and the post flags a person carries."""
import re

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.\-]{2,64}$")
UNIT_CODE_RE = re.compile(r"^[A-Za-z0-9_.\-]{1,40}$")
# on_post: 在编在岗; is_enforcement: 执法岗位; is_supervision: 监督岗位; is_leader: 领导干部
FLAGS = ("on_post", "is_enforcement", "is_supervision", "is_leader")
# An address that mail can be sent to: one @, no spaces, a dot in the domain (the server decides the rest).
EMAIL_RE = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\".]+$")
EMAIL_MAX = 200


def email_problem(email: str) -> str:
    """"" for an empty or well-formed address, else what is wrong with it (Chinese, for the form or the row)."""
    if not email:
        return ""
    if len(email) > EMAIL_MAX:
        return f"邮箱不超过 {EMAIL_MAX} 个字符"
    if not EMAIL_RE.match(email):
        return f"邮箱格式不正确：{email}"
    return ""
