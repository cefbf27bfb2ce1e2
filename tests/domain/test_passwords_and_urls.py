import pytest

from examapp.domain.passwords import check_password_policy, password_problems
from examapp.domain.roles import can_grant
from examapp.domain.safe_url import is_safe_local_path
from examapp.errors import ValidationError


@pytest.mark.parametrize("password", ["short1", "abcdefghij", "12345678"])
def test_weak_passwords_are_refused(password):
    assert password_problems(password)


def test_password_may_not_contain_username_or_name():
    assert "密码不能包含用户名" in password_problems("zhang2026xyz", username="Zhang2026")
    assert "密码不能包含姓名" in password_problems("张三abc12345", name="张三")
    with pytest.raises(ValidationError) as e:
        check_password_policy("abc", field="new_password")
    assert e.value.field == "new_password"


def test_good_password_passes():
    assert password_problems("Study-law-2026", username="employee", name="周明辉") == []


@pytest.mark.parametrize("target", ["https://evil.example", "//evil.example", "/\\evil.example", "\\\\evil",
                                    "javascript:alert(1)", "", None, "http:/evil", "/%0d%0aX", "/\tx"])
def test_unsafe_next_targets(target):
    if target == "/%0d%0aX":
        assert is_safe_local_path(target)  # an encoded CR stays inside the path
    else:
        assert not is_safe_local_path(target)


@pytest.mark.parametrize("target", ["/", "/admin/users?page=2", "/audit/events#x"])
def test_local_next_targets(target):
    assert is_safe_local_path(target)


def test_role_grants():
    assert can_grant({"admin"}, "admin")
    assert can_grant({"unit_admin"}, "employee")
    assert not can_grant({"unit_admin"}, "admin")
    assert not can_grant({"unit_admin"}, "unit_admin")
    assert not can_grant({"auditor"}, "employee")
    assert not can_grant({"admin"}, "root")
