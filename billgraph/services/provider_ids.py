"""Provider identifiers: lowercase slugs, checked the same way wherever one enters (pure)."""

import re

from billgraph.models import PROVIDER_ID_LENGTH, Provider
from billgraph.services.errors import InvalidInputError

_SLUG = re.compile(r"[a-z0-9][a-z0-9_-]*")

# The providers every installation starts with: (id, display name, priced from).
# HuggingFace's router serves open models whose prices the mistral rows hold.
BUILTIN_PROVIDERS: tuple[tuple[str, str, str | None], ...] = (
    (Provider.OPENAI, "OpenAI", None),
    (Provider.ANTHROPIC, "Anthropic", None),
    (Provider.GOOGLE, "Google", None),
    (Provider.MISTRAL, "Mistral", None),
    (Provider.HUGGINGFACE, "Hugging Face", Provider.MISTRAL),
    (Provider.GROQ, "Groq", None),
    (Provider.COHERE, "Cohere", None),
    (Provider.DEEPSEEK, "DeepSeek", None),
    (Provider.XAI, "xAI", None),
    (Provider.OTHER, "Other", None),
)


def provider_id(value: object, *, field: str = "provider") -> str:
    """Return `value` as a provider slug (trimmed, lower-cased); raise naming `field`.

    Today's upper-case names (`HUGGINGFACE`) are the same providers in any case.
    """
    if not isinstance(value, str):
        raise InvalidInputError("{field} must be a string", field=field)
    slug = value.strip().lower()
    if not slug:
        raise InvalidInputError("{field} must not be empty", field=field)
    if len(slug) > PROVIDER_ID_LENGTH:
        raise InvalidInputError(
            "{field} must be at most {length} characters", field=field, length=PROVIDER_ID_LENGTH
        )
    if not slug.isascii() or _SLUG.fullmatch(slug) is None:
        raise InvalidInputError(
            "{field} {value!r} is not a provider id: use lowercase letters, digits, "
            "'_' and '-' (e.g. openai, fireworks_ai)",
            field=field,
            value=value,
        )
    return slug
