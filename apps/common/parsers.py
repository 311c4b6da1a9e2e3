"""The API's one JSON parser: DRF's custom-parser extension point, with the
body's size, nesting depth and duplicate keys refused before any view sees it."""

import json
import re

from django.conf import settings
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser

# Deeper than any request this API reads, shallow enough for every recursive
# walk (serializers, hashing, logging) to stay far from the recursion limit.
MAX_DEPTH = 32
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_INNERMOST_PAIR = re.compile(r"\[\]|\{\}")


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload_too_large"
    default_detail = "The request body is too large."


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        text = _decoded(_body(stream=stream), encoding=encoding)
        try:
            data = json.loads(
                text,
                object_pairs_hook=_without_duplicate_keys,
                parse_constant=_refuse_constant,
            )
        except RecursionError as exc:
            raise ParseError(_too_deep_message()) from exc
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
        if _deeper_than(text, limit=MAX_DEPTH):
            raise ParseError(_too_deep_message())
        return data


def _body(*, stream) -> bytes:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    body = stream.read(limit + 1)
    if len(body) > limit:
        raise PayloadTooLarge(f"The request body is larger than {limit} bytes.")
    return body


def _decoded(body: bytes, *, encoding: str) -> str:
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise ParseError(f"The request body is not valid {encoding}.") from exc


def _too_deep_message() -> str:
    return f"JSON nested deeper than {MAX_DEPTH} levels."


def _without_duplicate_keys(pairs: list[tuple[str, object]]) -> dict:
    data = dict(pairs)
    if len(data) != len(pairs):
        seen, duplicates = set(), set()
        for key, _ in pairs:
            (duplicates if key in seen else seen).add(key)
        raise ValueError(f"duplicate keys: {', '.join(sorted(duplicates))}")
    return data


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


def _deeper_than(text: str, *, limit: int) -> bool:
    """Whether valid JSON nests deeper than `limit`, by peeling the innermost
    bracket pairs once per level: regex passes, no Python loop per value."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    for _ in range(limit):
        if not brackets:
            return False
        brackets = _INNERMOST_PAIR.sub("", brackets)
    return bool(brackets)
