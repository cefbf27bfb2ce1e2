"""Which `next=` targets are safe: local paths only (S9)."""
from urllib.parse import urlsplit


def is_safe_local_path(target: str | None) -> bool:
    if not target or not target.startswith("/"):
        return False
    if target.startswith("//") or "\\" in target or any(ord(c) < 32 for c in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc
