"""Enumerations stored in the database and exposed over GraphQL."""

from enum import StrEnum


class Provider(StrEnum):
    """The providers every installation starts with (rows of the `providers` table).

    A provider is a lowercase slug stored as a plain string; any other slug (`azure`,
    `fireworks_ai`, ...) is a provider too once it is recorded, imported or added.
    """

    OPENAI = "openai"
    ANTHROPIC = "anthropic"
    GOOGLE = "google"
    MISTRAL = "mistral"
    HUGGINGFACE = "huggingface"
    GROQ = "groq"
    COHERE = "cohere"
    DEEPSEEK = "deepseek"
    XAI = "xai"
    OTHER = "other"


class ProviderManager(StrEnum):
    """Who registered a provider: the installation (BUILTIN), an admin, or a catalog import."""

    BUILTIN = "BUILTIN"
    ADMIN = "ADMIN"
    CATALOG = "CATALOG"


class PricingSource(StrEnum):
    """Which step of the resolution chain priced a call."""

    EXACT = "EXACT"
    SHORT_NAME = "SHORT_NAME"
    DEFAULT_ROW = "DEFAULT_ROW"
    ENVIRONMENT = "ENVIRONMENT"
    BUILTIN_ESTIMATE = "BUILTIN_ESTIMATE"


class ServiceTier(StrEnum):
    """The service tier a call used, as providers sell them; STANDARD unless the caller says."""

    STANDARD = "standard"
    BATCH = "batch"
    FLEX = "flex"
    PRIORITY = "priority"


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
    PROVIDER_ADD = "PROVIDER_ADD"
    PROVIDER_RENAME = "PROVIDER_RENAME"
    PROVIDER_REMAP = "PROVIDER_REMAP"


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
