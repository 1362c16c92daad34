"""The one application error type and its kinds, each mapped to an HTTP status by the API."""

from typing import Any


class ApplicationError(Exception):
    """An error a user can act on: ``message`` says what went wrong, ``extra`` the details."""

    status_code = 400

    def __init__(self, message: str, extra: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.extra = extra or {}


class InvalidInput(ApplicationError):
    """The input is invalid; ``extra["fields"]`` maps field names to lists of messages."""

    status_code = 400

    def __init__(self, message: str, fields: dict[str, list[str]] | None = None):
        super().__init__(message, {"fields": fields or {}})
        self.fields = fields or {}


class PermissionRefused(ApplicationError):
    """The user's role, position or the four-eyes rule forbids the action."""

    status_code = 403


class NotFound(ApplicationError):
    """The object does not exist or the user may not see it (never say which)."""

    status_code = 404

    def __init__(self, message: str = "Not found.", extra: dict[str, Any] | None = None):
        super().__init__(message, extra)


class Conflict(ApplicationError):
    """The case's state or a guard forbids the action now."""

    status_code = 409


class StoredFileChanged(ApplicationError):
    """A stored file no longer matches the SHA-256 recorded when it was stored (or is gone).

    Our fault, not the user's (500), but said in words: which file, and that it was not sent.
    """

    status_code = 500

    def __init__(self, what: str, name: str, *, missing: bool = False):
        problem = (
            "is missing from storage"
            if missing
            else ("does not match the SHA-256 recorded when it was stored")
        )
        super().__init__(
            f"{what} {problem}, so it has not been sent. The error has been logged; "
            "ask the service's administrators to restore the file from a backup.",
            {"file": name},
        )
