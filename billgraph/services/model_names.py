"""Model name variants used by the pricing chain. Pure functions."""

from billgraph.services.errors import InvalidInputError

MAX_NAME_LENGTH = 255
DEFAULT_MODEL_KEY = "default"


def clean_name(value: str, *, field: str) -> str:
    """Return `value` trimmed, or raise InvalidInputError when it is empty, too long or
    not storable text."""
    cleaned = value.strip()
    if not cleaned:
        raise InvalidInputError("{field} must not be empty", field=field)
    if "\x00" in cleaned:
        # PostgreSQL text cannot hold NUL, and no real name contains one.
        raise InvalidInputError("{field} must not contain NUL characters", field=field)
    if not cleaned.isascii():
        try:
            cleaned.encode("utf-8")
        except UnicodeEncodeError:
            # A lone surrogate ("\ud800") is valid JSON but not storable text.
            raise InvalidInputError(
                "{field} must be valid Unicode text (it holds a lone surrogate)", field=field
            ) from None
    if len(cleaned) > MAX_NAME_LENGTH:
        raise InvalidInputError(
            f"{{field}} must be at most {MAX_NAME_LENGTH} characters (got {len(cleaned)})",
            field=field,
        )
    return cleaned


def model_key(model_name: str) -> str:
    """Return the key a model name is matched by: trimmed and lower-cased."""
    return model_name.strip().lower()


def short_model_key(model_name: str) -> str:
    """Return the short name's key: after the last "/", without a ":route" suffix.

    "openai/gpt-oss-120b:groq" -> "gpt-oss-120b".
    """
    last_segment = model_key(model_name).rsplit("/", 1)[-1]
    return last_segment.split(":", 1)[0].strip()
