"""Enumerations stored in the database and exposed over GraphQL."""

from enum import StrEnum


class Provider(StrEnum):
    OPENAI = "OPENAI"
    ANTHROPIC = "ANTHROPIC"
    GOOGLE = "GOOGLE"
    MISTRAL = "MISTRAL"
    HUGGINGFACE = "HUGGINGFACE"
    GROQ = "GROQ"
    COHERE = "COHERE"
    DEEPSEEK = "DEEPSEEK"
    XAI = "XAI"
    OTHER = "OTHER"


class PricingSource(StrEnum):
    """Which step of the resolution chain priced a call."""

    EXACT = "EXACT"
    SHORT_NAME = "SHORT_NAME"
    DEFAULT_ROW = "DEFAULT_ROW"
    ENVIRONMENT = "ENVIRONMENT"
    BUILTIN_ESTIMATE = "BUILTIN_ESTIMATE"


class PricingManager(StrEnum):
    """Who owns a pricing row: startup initialization (ENVIRONMENT) or an admin."""

    ENVIRONMENT = "ENVIRONMENT"
    ADMIN = "ADMIN"
