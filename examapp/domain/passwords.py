"""Password policy: long enough, mixed, and not the username or name."""
import re

from ..errors import ValidationError

WEAK = {"password", "12345678", "123456789", "1234567890", "qwertyui", "11111111", "abcd1234", "a1234567"}


def password_problems(password: str, *, username: str = "", name: str = "", min_length: int = 8) -> list[str]:
    problems = []
    if len(password) < min_length:
        problems.append(f"密码至少需要 {min_length} 个字符")
    classes = sum(bool(re.search(p, password)) for p in (r"[a-z]", r"[A-Z]", r"\d", r"[^A-Za-z0-9]"))
    if classes < 2:
        problems.append("密码需包含字母、数字、符号中的至少两类")
    lowered = password.lower()
    if username and username.lower() in lowered:
        problems.append("密码不能包含用户名")
    if name and len(name) >= 2 and name in password:
        problems.append("密码不能包含姓名")
    if lowered in WEAK:
        problems.append("密码过于常见")
    return problems


def check_password_policy(password: str, *, username: str = "", name: str = "", min_length: int = 8,
                          field: str = "password") -> None:
    problems = password_problems(password, username=username, name=name, min_length=min_length)
    if problems:
        raise ValidationError(field, "；".join(problems))
