"""The API accepts JSON only."""

import json
from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils.json import strict_constant


class JSONParser(parsers.JSONParser):
    """Parse a JSON body, refusing NaN and Infinity, nesting too deep to parse, and NUL
    characters in its text.

    The size limit is Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE``: DRF reads JSON bodies through
    ``request.body``, which enforces it (``aia.api.exceptions`` answers 413).
    """

    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        encoding = parsers.get_encoding(parser_context or {})
        try:
            data = json.loads(stream.read().decode(encoding), parse_constant=strict_constant)
        except (ValueError, RecursionError) as exc:
            raise ParseError(f"The body is not valid JSON: {exc}") from None
        if _holds_nul(data):
            # No text AIA keeps may hold one (PostgreSQL cannot store it).
            raise ParseError("The body must not contain NUL characters (\\u0000).")
        return data


def _holds_nul(data: Any) -> bool:
    """Whether any string of a parsed JSON value, key or value, holds a NUL character."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False
