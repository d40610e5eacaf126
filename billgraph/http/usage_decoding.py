"""Decoding a bulk ingest body (JSON array or NDJSON) into usage inputs, typed by msgspec.

The body is first cut into one raw slice per record (a fast scan, no field decoding),
then the records are decoded and type-checked slice by slice with a yield to the event
loop between slices, so a 10,000-record body never holds the loop for long. Errors name
the record's index and the field, camelCase as the client sent it.
"""

import asyncio
import json
import re
from typing import Any

import msgspec

from billgraph.usage_record import UsageRecord

JSON = "application/json"
NDJSON = "application/x-ndjson"
# Records decoded between two yields to the event loop.
SLICE = 250


class DecodingError(Exception):
    """The body or one record cannot be decoded; `index` is None for the body as a whole."""

    def __init__(self, message: str, *, index: int | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.index = index
        self.field = field


_ARRAY = msgspec.json.Decoder(list[msgspec.Raw])
_RECORD = msgspec.json.Decoder(UsageRecord)
_PATH = re.compile(r" - at `\$\.?([A-Za-z]*)[^`]*`$")
_MISSING_OR_UNKNOWN = re.compile(r"field `([^`]+)`")


def split_records(body: bytes, media_type: str) -> list[Any]:
    """Return one raw slice per record of a JSON array or NDJSON body."""
    if media_type == NDJSON:
        return [line for line in body.split(b"\n") if line.strip()]
    try:
        return _ARRAY.decode(body)
    except (msgspec.ValidationError, msgspec.DecodeError) as error:
        records = _python_json(body)
        if not isinstance(records, list):
            raise DecodingError(f"The body is not a JSON array of records: {error}") from None
        return records


def _python_json(text: bytes) -> Any:
    # msgspec refuses a lone surrogate escape ("\ud800"), which is valid JSON; the slow
    # decoder takes it, so the error can name the record and field (the service refuses
    # the text itself).
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


async def decode_records(raw_records: list[Any]) -> list[UsageRecord]:
    """Return the records, typed; raise DecodingError naming the first bad one."""
    inputs: list[UsageRecord] = []
    for start in range(0, len(raw_records), SLICE):
        if start:
            await asyncio.sleep(0)
        for index in range(start, min(start + SLICE, len(raw_records))):
            try:
                inputs.append(_decode_record(raw_records[index]))
            except (msgspec.ValidationError, msgspec.DecodeError) as error:
                raise _record_error(index, error) from None
    return inputs


def _decode_record(raw: Any) -> UsageRecord:
    if not isinstance(raw, msgspec.Raw | bytes):
        return msgspec.convert(raw, UsageRecord)  # already decoded by _python_json
    try:
        return _RECORD.decode(raw)
    except msgspec.DecodeError:
        decoded = _python_json(bytes(raw))
        if decoded is None:
            raise
        return msgspec.convert(decoded, UsageRecord)


def _record_error(index: int, error: Exception) -> DecodingError:
    text = str(error)
    field = None
    path = _PATH.search(text)
    if path is not None:
        field = path.group(1) or None
        text = text[: path.start()]
    if field is None:
        named = _MISSING_OR_UNKNOWN.search(text)
        field = named.group(1) if named is not None else None
    subject = f"record {index}" + (f" {field}" if field else "")
    return DecodingError(f"{subject}: {text}", index=index, field=field)


def record_json_schema() -> dict[str, Any]:
    """Return the JSON schema of one record, self-contained (for the OpenAPI document)."""
    (schema,), components = msgspec.json.schema_components(
        [UsageRecord], ref_template="#/$defs/{name}"
    )
    inlined: dict[str, Any] = _inline(schema, components)
    return inlined


def _inline(node: Any, components: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        reference = node.get("$ref")
        if isinstance(reference, str):
            return _inline(components[reference.rsplit("/", 1)[1]], components)
        return {key: _inline(value, components) for key, value in node.items()}
    if isinstance(node, list):
        return [_inline(item, components) for item in node]
    return node
