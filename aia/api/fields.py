"""Strict input parsing: wrong types and unknown fields are errors, never silently coerced."""

from collections.abc import Mapping
from typing import Any

from django.core.validators import RegexValidator
from rest_framework import serializers

UNKNOWN_FIELD = "This field is not recognised here."
# Text with something besides white space in it; as a validator, it puts the pattern in the
# schema. White space as Python's ``str.strip`` (and so DRF's trimming) sees it, which is not
# quite the ``\s`` of the schema's regular expressions (those of ECMAScript): spelt out so that
# both agree.
NOT_BLANK = r"[^\t\n\x0b\x0c\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"


class StrictCharField(serializers.CharField):
    """A text field that refuses numbers and booleans instead of turning them into text."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not self.allow_blank and self.trim_whitespace:
            # White space alone is blank once trimmed: refused, and the schema says so.
            self.validators.append(RegexValidator(NOT_BLANK))

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictSerializer(serializers.Serializer):
    """A serializer that refuses fields it does not know, so a typo is an error, not a no-op."""

    unknown_field_message = UNKNOWN_FIELD

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        errors: dict[str, Any] = {}
        if isinstance(data, Mapping):
            known = {name for name, field in self.fields.items() if not field.read_only}
            message = self.unknown_field_message
            errors.update({str(name): [message] for name in data if name not in known})
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if not isinstance(exc.detail, Mapping):
                raise
            errors.update(exc.detail)
        if errors:
            raise serializers.ValidationError(errors)
        return value


class BlankAsNullChoiceField(serializers.ChoiceField):
    """Render an unset choice (stored as ``""``) as ``null``."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> Any:
        return value or None


class ChoiceListField(serializers.ListField):
    """A list of choices, each at most once, kept in the choices' order (so that the same
    selection always reads, and hashes, the same); unknown values are named in one message
    on the field itself."""

    def __init__(self, *, choices: Any, **kwargs: Any) -> None:
        self.allowed = [str(value) for value, _label in choices]
        super().__init__(child=serializers.ChoiceField(choices=choices), **kwargs)

    def to_internal_value(self, data: Any) -> list[str]:
        if isinstance(data, list) and all(isinstance(value, str) for value in data):
            unknown = [value for value in data if value not in self.allowed]
            if unknown:
                raise serializers.ValidationError(
                    f"Unknown: {', '.join(unknown)}. Choose from: {', '.join(self.allowed)}."
                )
        values = super().to_internal_value(data)
        return [value for value in self.allowed if value in values]
