"""Small validators the services share. Each collects messages into a field-error dict so a
user sees every problem at once, and the service raises ``InvalidInput`` before writing."""

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone

from aia.exceptions import InvalidInput

MAX_SHORT_TEXT = 300
MAX_LONG_TEXT = 50_000
_url_validator = URLValidator(schemes=["http", "https"])


class Errors:
    """Collect field errors, then raise them together."""

    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.fields.setdefault(field, []).append(message)

    def raise_if_any(self, message: str = "Check the highlighted fields.") -> None:
        if self.fields:
            raise InvalidInput(message, self.fields)


def text(
    errors: Errors,
    data: dict[str, Any],
    field: str,
    *,
    required: bool = False,
    max_length: int = MAX_LONG_TEXT,
    label: str | None = None,
) -> str:
    value = data.get(field, "")
    label = label or field.replace("_", " ")
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.add(field, f"Enter the {label} as text.")
        return ""
    value = value.strip()
    if required and not value:
        errors.add(field, f"Enter the {label}.")
    elif len(value) > max_length:
        errors.add(field, f"The {label} must be {max_length} characters or fewer.")
    return value


def choice(
    errors: Errors,
    data: dict[str, Any],
    field: str,
    choices: Iterable[str],
    *,
    required: bool = False,
    label: str | None = None,
) -> str:
    value = data.get(field, "")
    label = label or field.replace("_", " ")
    allowed = [str(c) for c in choices]
    if value in ("", None):
        if required:
            errors.add(field, f"Choose the {label}.")
        return ""
    if value not in allowed:
        errors.add(field, f"Choose the {label} from: {', '.join(allowed)}.")
        return ""
    return str(value)


def choice_list(
    errors: Errors,
    data: dict[str, Any],
    field: str,
    choices: Iterable[str],
    *,
    required: bool = False,
    label: str | None = None,
) -> list[str]:
    value = data.get(field, [])
    label = label or field.replace("_", " ")
    allowed = [str(c) for c in choices]
    if value is None:
        value = []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        errors.add(field, f"Give the {label} as a list.")
        return []
    unknown = [v for v in value if v not in allowed]
    if unknown:
        errors.add(
            field, f"Unknown {label}: {', '.join(unknown)}. Choose from: {', '.join(allowed)}."
        )
        return []
    if required and not value:
        errors.add(field, f"Choose at least one of the {label}.")
    # Keep the canonical order so the same choice always hashes the same.
    return [v for v in allowed if v in value]


def date(
    errors: Errors,
    data: dict[str, Any],
    field: str,
    *,
    required: bool = False,
    not_future: bool = False,
    label: str | None = None,
) -> datetime.date | None:
    value = data.get(field)
    label = label or field.replace("_", " ")
    if value in ("", None):
        if required:
            errors.add(field, f"Enter the {label}.")
        return None
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value)
        except ValueError:
            errors.add(field, f"Enter the {label} as a real date, like 2024-05-21.")
            return None
    if not isinstance(value, datetime.date):
        errors.add(field, f"Enter the {label} as a date, like 2024-05-21.")
        return None
    if not_future and value > timezone.localdate():
        errors.add(field, future_date_message(label))
        return None
    return value


def future_date_message(label: str) -> str:
    """Return the one message for a date of something already seen (a finding, a source, the
    start of a period assessed) that is after today, London time: the GOV.UK wording."""
    return f"The {label} must be today or in the past."


def url(errors: Errors, value: Any, field: str, *, label: str = "link") -> str:
    if value in ("", None):
        return ""
    if not isinstance(value, str):
        errors.add(field, f"Enter the {label} as a web address.")
        return ""
    value = value.strip()
    try:
        _url_validator(value)
    except ValidationError:
        errors.add(field, f"Enter the {label} as a full web address starting with https://.")
        return ""
    if len(value) > 500:
        errors.add(field, f"The {label} must be 500 characters or fewer.")
        return ""
    return value


def unknown_fields(errors: Errors, data: dict[str, Any], allowed: Iterable[str]) -> None:
    allowed = set(allowed)
    for field in data:
        if field not in allowed:
            errors.add(field, "This field is not recognised here.")
