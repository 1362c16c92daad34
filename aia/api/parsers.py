"""The API accepts JSON only."""

import json
from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils.json import strict_constant


class JSONParser(parsers.JSONParser):
    """Parse a JSON body, refusing NaN and Infinity, and nesting too deep to parse.

    The size limit is Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE``: DRF reads JSON bodies through
    ``request.body``, which enforces it (``aia.api.exceptions`` answers 413).
    """

    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        encoding = parsers.get_encoding(parser_context or {})
        try:
            return json.loads(stream.read().decode(encoding), parse_constant=strict_constant)
        except (ValueError, RecursionError) as exc:
            raise ParseError(f"The body is not valid JSON: {exc}") from None
