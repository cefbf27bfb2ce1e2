"""Materialized paths of the org tree: `/1/4/9/` lists the ids from the root down to the unit."""
from ..errors import ValidationError


def child_path(parent_path: str | None, unit_id: int) -> str:
    return f"{parent_path or '/'}{unit_id}/"


def depth_of(path: str) -> int:
    return path.strip("/").count("/")


def ids_of(path: str) -> list[int]:
    return [int(p) for p in path.strip("/").split("/") if p]


def is_within(path: str, ancestor_path: str) -> bool:
    """True when `path` is `ancestor_path` itself or lies below it."""
    return path.startswith(ancestor_path)


def check_move(unit_path: str, new_parent_path: str) -> None:
    if is_within(new_parent_path, unit_path):
        raise ValidationError("parent", "不能把单位移动到它自己或它的下级单位之下")


def rebase(path: str, old_prefix: str, new_prefix: str) -> str:
    """The path of a descendant after its ancestor moved from `old_prefix` to `new_prefix`."""
    if not path.startswith(old_prefix):
        raise ValueError(f"{path} is not below {old_prefix}")
    return new_prefix + path[len(old_prefix):]
