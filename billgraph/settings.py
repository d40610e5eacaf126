"""Settings from the environment and `.env`, validated once at startup and passed down."""

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from billgraph.services.costs import parse_unit_price
from billgraph.services.errors import InvalidInputError

DEFAULT_DATABASE_URL = "sqlite://billgraph.sqlite3"
MIN_ADMIN_KEY_LENGTH = 16
_DATABASE_SCHEMES = ("sqlite://", "postgres://", "postgresql://", "asyncpg://")


class SettingsError(Exception):
    """A setting has an invalid value; the message names the environment variable."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    database_url: str = DEFAULT_DATABASE_URL
    huggingface_input_token_cost: Decimal = Decimal("0.000001")
    huggingface_output_token_cost: Decimal = Decimal("0.000003")
    admin_api_key: SecretStr | None = None
    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=1, le=65535)] = 8000
    environment: Literal["development", "production"] = "development"
    max_query_depth: Annotated[int, Field(ge=1, le=100)] = 10
    max_query_aliases: Annotated[int, Field(ge=0, le=1000)] = 20
    max_query_tokens: Annotated[int, Field(ge=100, le=1_000_000)] = 5000
    max_request_bytes: Annotated[int, Field(ge=1024, le=100 * 1024 * 1024)] = 1024 * 1024
    # POST /v1/usage takes up to 10,000 records (about 2.5 MB of JSON).
    max_ingest_request_bytes: Annotated[int, Field(ge=1024, le=100 * 1024 * 1024)] = 8 * 1024 * 1024
    cors_allow_origins: str = ""
    # Running it for real: see README "Running in production" and docs/scaling.md.
    database_read_url: str | None = None
    migrate_on_startup: bool = True
    database_pool_min_size: Annotated[int, Field(ge=1, le=1000)] = 1
    database_pool_max_size: Annotated[int, Field(ge=1, le=1000)] = 10
    database_pool_timeout_seconds: Annotated[float, Field(gt=0, le=600)] = 2.0
    database_connect_timeout_seconds: Annotated[float, Field(gt=0, le=600)] = 5.0
    statement_timeout_seconds: Annotated[float, Field(ge=0, le=86400)] = 30.0
    request_timeout_seconds: Annotated[float, Field(gt=0, le=86400)] = 60.0
    # Rows of batch writes one process has in the database at once; 0: no limit
    # (services/write_admission.py says why).
    ingest_rows_in_flight: Annotated[int, Field(ge=0, le=1_000_000)] = 500
    price_settle_seconds: Annotated[float, Field(ge=0, le=3600)] = 2.0
    metrics_enabled: bool = True
    metrics_public: bool | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    log_format: Literal["text", "json"] | None = None
    # Reports: what one request may spend, all its report fields (aliases) together.
    report_buckets_per_request: Annotated[int, Field(ge=1, le=100_000)] = 6000
    reports_per_request: Annotated[int, Field(ge=1, le=1000)] = 20
    report_timeout_seconds: Annotated[float, Field(gt=0, le=3600)] = 10.0
    reservation_ttl_seconds: Annotated[int, Field(ge=1, le=7 * 24 * 3600)] = 600
    webhook_worker_enabled: bool = True
    webhook_max_attempts: Annotated[int, Field(ge=1, le=100)] = 8
    webhook_retry_base_seconds: Annotated[float, Field(ge=0, le=3600)] = 10
    webhook_timeout_seconds: Annotated[float, Field(gt=0, le=120)] = 5
    webhook_poll_seconds: Annotated[float, Field(gt=0, le=3600)] = 2

    @field_validator("huggingface_input_token_cost", "huggingface_output_token_cost", mode="before")
    @classmethod
    def _exact_price(cls, value: Any) -> Decimal:
        try:
            return parse_unit_price(value, field="value")
        except InvalidInputError as error:
            raise ValueError(error.message) from None

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        value = value.strip()
        if not value.startswith(_DATABASE_SCHEMES):
            raise ValueError(
                "must start with sqlite:// or postgres:// "
                "(e.g. sqlite://billgraph.sqlite3, postgres://user@127.0.0.1:5432/billgraph)"
            )
        if value.startswith("postgresql://"):
            value = "postgres://" + value.removeprefix("postgresql://")
        if value.rstrip("/") in {"sqlite:", "postgres:", "asyncpg:"}:
            raise ValueError("names no database")
        return value

    @field_validator("database_read_url")
    @classmethod
    def _read_replica(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        if value.startswith("postgresql://"):
            value = "postgres://" + value.removeprefix("postgresql://")
        if not value.startswith(("postgres://", "asyncpg://")):
            raise ValueError("must be a postgres:// URL (a read replica of DATABASE_URL)")
        return value

    @field_validator("metrics_public", mode="before")
    @classmethod
    def _blank_is_default(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _pool_sizes(self) -> "Settings":
        if self.database_pool_min_size > self.database_pool_max_size:
            raise ValueError(
                "DATABASE_POOL_MIN_SIZE must not exceed DATABASE_POOL_MAX_SIZE "
                f"({self.database_pool_min_size} > {self.database_pool_max_size})"
            )
        return self

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("log_format", mode="before")
    @classmethod
    def _blank_format(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("cors_allow_origins")
    @classmethod
    def _origins(cls, value: str) -> str:
        for origin in _split(value):
            if origin != "*" and not origin.startswith(("http://", "https://")):
                raise ValueError(f"{origin!r} is not an origin such as https://dash.example.com")
        return value

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def metrics_are_public(self) -> bool:
        """Return True when /metrics answers without an ADMIN key (default: not in production)."""
        return not self.is_production if self.metrics_public is None else self.metrics_public

    @property
    def log_as_json(self) -> bool:
        """Return True for JSON log lines (default: in production)."""
        return self.is_production if self.log_format is None else self.log_format == "json"

    @property
    def cors_origins(self) -> list[str]:
        """Return the origins allowed to call the API from a browser (none by default)."""
        return _split(self.cors_allow_origins)

    @field_validator("admin_api_key", mode="before")
    @classmethod
    def _strong_admin_key(cls, value: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, str):
            # Bearer tokens arrive trimmed, so the key is stored trimmed too.
            value = value.strip()
            if len(value) < MIN_ADMIN_KEY_LENGTH:
                raise ValueError(f"must be at least {MIN_ADMIN_KEY_LENGTH} characters long")
        return value


def _split(comma_separated: str) -> list[str]:
    return [item.strip() for item in comma_separated.split(",") if item.strip()]


def load_settings(**overrides: Any) -> Settings:
    """Return validated settings, or raise SettingsError naming each bad variable."""
    try:
        return Settings(**overrides)
    except ValidationError as error:
        problems = [
            f"{'.'.join(str(part) for part in issue['loc']).upper()}: "
            + issue["msg"].removeprefix("Value error, ")
            for issue in error.errors()
        ]
        raise SettingsError("Invalid settings:\n  " + "\n  ".join(problems)) from None
