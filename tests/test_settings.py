"""Settings: defaults, the environment and `.env`, and the refusal of invalid values."""

import os
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from billgraph.cli import app
from billgraph.settings import SettingsError, load_settings

VARIABLES = (
    "DATABASE_URL",
    "HUGGINGFACE_INPUT_TOKEN_COST",
    "HUGGINGFACE_OUTPUT_TOKEN_COST",
    "ADMIN_API_KEY",
    "HOST",
    "PORT",
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No setting from the developer's shell or `.env` file may leak into a test."""
    for name in list(os.environ):
        if name.upper() in VARIABLES:  # settings are read case-insensitively
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def refusal(**environment: str) -> str:
    """Return the message of the SettingsError that `environment` must cause."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in environment.items():
            patch.setenv(name, value)
        with pytest.raises(SettingsError) as raised:
            load_settings()
    return str(raised.value)


def test_defaults() -> None:
    settings = load_settings()

    assert settings.huggingface_input_token_cost == Decimal("0.000001")
    assert settings.huggingface_output_token_cost == Decimal("0.000003")
    assert settings.database_url == "sqlite://billgraph.sqlite3"
    assert settings.admin_api_key is None
    assert settings.host == "127.0.0.1"
    assert settings.port == 8000


def test_values_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUGGINGFACE_INPUT_TOKEN_COST", "0.000000000001")
    monkeypatch.setenv("HUGGINGFACE_OUTPUT_TOKEN_COST", "12.5")
    monkeypatch.setenv("DATABASE_URL", "postgres://billing@db.internal:5432/billgraph")
    monkeypatch.setenv("ADMIN_API_KEY", "a" * 16)
    monkeypatch.setenv("HOST", "0.0.0.0")  # noqa: S104
    monkeypatch.setenv("PORT", "65535")

    settings = load_settings()

    assert settings.huggingface_input_token_cost == Decimal("0.000000000001")
    assert settings.huggingface_output_token_cost == Decimal("12.5")
    assert settings.database_url == "postgres://billing@db.internal:5432/billgraph"
    assert settings.admin_api_key is not None
    assert settings.admin_api_key.get_secret_value() == "a" * 16
    assert settings.host == "0.0.0.0"  # noqa: S104
    assert settings.port == 65535


def test_values_come_from_a_dotenv_file_in_the_working_directory(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "HUGGINGFACE_INPUT_TOKEN_COST=0.0000025\n"
        "DATABASE_URL=sqlite://from-dotenv.sqlite3\n"
        "ADMIN_API_KEY=dotenv-admin-key-0123\n"
        "PORT=9000\n"
    )

    settings = load_settings()

    assert settings.huggingface_input_token_cost == Decimal("0.0000025")
    assert settings.database_url == "sqlite://from-dotenv.sqlite3"
    assert settings.admin_api_key is not None
    assert settings.admin_api_key.get_secret_value() == "dotenv-admin-key-0123"
    assert settings.port == 9000


def test_the_environment_wins_over_the_dotenv_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".env").write_text("PORT=9000\n")
    monkeypatch.setenv("PORT", "9100")

    assert load_settings().port == 9100


@pytest.mark.parametrize(
    ("variable", "value", "reason"),
    [
        ("HUGGINGFACE_INPUT_TOKEN_COST", "-0.000001", "must not be negative"),
        ("HUGGINGFACE_OUTPUT_TOKEN_COST", "three", "not a number"),
        ("HUGGINGFACE_INPUT_TOKEN_COST", "0.0000000000001", "more than 12 decimal places"),
        ("HUGGINGFACE_INPUT_TOKEN_COST", "1e-999999999", "more than 12 decimal places"),
        ("HUGGINGFACE_OUTPUT_TOKEN_COST", "0.000_003", "not a number"),
        (
            "HUGGINGFACE_OUTPUT_TOKEN_COST",
            "\uff10.\uff10\uff10\uff10\uff10\uff10\uff13",
            "not a number",
        ),
        ("DATABASE_URL", "mysql://root@127.0.0.1/billgraph", "must start with sqlite://"),
        ("PORT", "0", "greater than or equal to 1"),
        ("PORT", "70000", "less than or equal to 65535"),
        ("PORT", "abc", "valid integer"),
        ("ADMIN_API_KEY", "fifteen-chars-x", "at least 16 characters"),
        ("INGEST_ROWS_IN_FLIGHT", "-1", "greater than or equal to 0"),
    ],
)
def test_an_invalid_value_is_refused_naming_the_variable(
    variable: str, value: str, reason: str
) -> None:
    message = refusal(**{variable: value})

    assert f"{variable}: " in message
    assert reason in message


def test_several_invalid_values_are_all_named_in_one_message() -> None:
    message = refusal(
        HUGGINGFACE_INPUT_TOKEN_COST="-1",
        HUGGINGFACE_OUTPUT_TOKEN_COST="0.1234567890123",
        DATABASE_URL="mysql://x",
        PORT="0",
        ADMIN_API_KEY="short",
    )

    for variable in VARIABLES:
        if variable != "HOST":
            assert f"{variable}: " in message, message


def test_postgresql_scheme_is_normalized(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://billing@127.0.0.1:5432/billgraph")

    assert load_settings().database_url == "postgres://billing@127.0.0.1:5432/billgraph"


@pytest.mark.parametrize("value", ["", "   "])
def test_an_empty_admin_key_counts_as_unset(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMIN_API_KEY", value)

    assert load_settings().admin_api_key is None


@pytest.mark.parametrize(
    "command",
    [
        ["db", "upgrade"],
        ["pricing", "init"],
        ["pricing", "list"],
        ["cost", "--provider", "openai", "--model", "gpt-4o", "--input", "1", "--output", "1"],
        ["serve"],
    ],
)
def test_every_command_refuses_to_start_on_an_invalid_setting(
    command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    served: list[object] = []
    monkeypatch.setattr(
        "billgraph.serving.uvicorn.run", lambda *args, **kwargs: served.append(args)
    )
    database = tmp_path / "refused.sqlite3"

    result = CliRunner().invoke(
        app, command, env={"DATABASE_URL": f"sqlite://{database}", "PORT": "70000"}
    )

    assert result.exit_code == 2, result.output
    assert "PORT: " in result.stderr
    assert not served
    assert not database.exists()


def test_an_admin_key_is_stored_trimmed_as_bearer_tokens_arrive(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ADMIN_API_KEY", "  0123456789abcdef \n")
    key = load_settings().admin_api_key
    assert key is not None
    assert key.get_secret_value() == "0123456789abcdef"
