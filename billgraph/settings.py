"""Settings from the environment and `.env`, validated once at startup and passed down."""

from decimal import Decimal
from typing import Annotated, Any

from pydantic import Field, SecretStr, ValidationError, field_validator
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
