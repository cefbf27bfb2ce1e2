"""Actors that are not logged-in people: the command line and the scheduler act as the system."""
from dataclasses import dataclass, field


@dataclass(frozen=True)
class _Role:
    role: str
    scope_unit: object = None
    scope_unit_id: int | None = None


@dataclass
class SystemActor:
    username: str = "system"
    id: None = None
    roles: list = field(default_factory=lambda: [_Role("admin")])
    is_authenticated: bool = True

    @property
    def role_names(self) -> set[str]:
        return {r.role for r in self.roles}

    def has_role(self, *names: str) -> bool:
        return bool(self.role_names.intersection(names))


def cli_actor() -> SystemActor:
    return SystemActor(username="system:cli")
