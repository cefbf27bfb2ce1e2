"""Domain exceptions: services raise them, views turn them into messages and status codes."""


class DomainError(Exception):
    status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ValidationError(DomainError):
    """Bad input, naming the field (or file/row/column) it concerns."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class PermissionDenied(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409


class LoginThrottled(DomainError):
    status = 429


class Busy(DomainError):
    """Too many of one expensive kind of request at once: try again in a moment (sent with Retry-After)."""
    status = 503
    retry_after = 2
