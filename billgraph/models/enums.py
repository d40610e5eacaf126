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
    """Who owns a price: startup initialization (ENVIRONMENT), an admin, or a catalog import."""

    ENVIRONMENT = "ENVIRONMENT"
    ADMIN = "ADMIN"
    CATALOG = "CATALOG"


class ApiKeyScope(StrEnum):
    """What an API key may do. ADMIN may do everything."""

    ADMIN = "ADMIN"
    INGEST = "INGEST"
    READ = "READ"


class PricingAuditAction(StrEnum):
    """The kind of pricing change an audit row records."""

    UPSERT = "UPSERT"
    DELETE = "DELETE"
    INITIALIZE = "INITIALIZE"
    IMPORT = "IMPORT"


class BudgetPeriod(StrEnum):
    """How long a budget window lasts; LIFETIME never ends."""

    DAY = "DAY"
    WEEK = "WEEK"
    MONTH = "MONTH"
    LIFETIME = "LIFETIME"


class BudgetMode(StrEnum):
    """HARD refuses authorizations over the limit; SOFT only alerts."""

    HARD = "HARD"
    SOFT = "SOFT"


class ReservationStatus(StrEnum):
    HELD = "HELD"
    RECORDED = "RECORDED"
    RELEASED = "RELEASED"
    EXPIRED = "EXPIRED"


class BudgetAuditAction(StrEnum):
    CREATE = "CREATE"
    UPDATE = "UPDATE"
    DELETE = "DELETE"


class DeliveryStatus(StrEnum):
    PENDING = "PENDING"
    DELIVERED = "DELIVERED"
    FAILED = "FAILED"
