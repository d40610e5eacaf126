"""The `billgraph` command on a scratch SQLite database.

The commands call asyncio.run themselves, so these tests are synchronous.
"""

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from billgraph.cli import app

Cli = Callable[..., Result]
SETTING_VARIABLES = (
    "HUGGINGFACE_INPUT_TOKEN_COST",
    "HUGGINGFACE_OUTPUT_TOKEN_COST",
    "ADMIN_API_KEY",
    "HOST",
    "PORT",
)
WORKED_EXAMPLE = [
    *("cost", "--provider", "huggingface", "--model", "openai/gpt-oss-120b:groq"),
    *("--input", "1000", "--output", "500"),
]


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """Return a runner of `billgraph ARGS...` on tmp_path/cli.sqlite3; keywords set variables."""
    monkeypatch.chdir(tmp_path)  # no developer's .env file
    runner = CliRunner()
    base: dict[str, str | None] = dict.fromkeys(SETTING_VARIABLES)  # None unsets
    base["DATABASE_URL"] = f"sqlite://{tmp_path / 'cli.sqlite3'}"

    def invoke(*args: str, **environment: str) -> Result:
        # Every test here starts from no database file; the refusal to create one
        # without the flag has tests of its own (tests/test_operations_cli.py).
        return runner.invoke(app, ["--create-database", *args], env={**base, **environment})

    return invoke


def succeeded(result: Result) -> list[str]:
    """Return the output lines of a command that must succeed."""
    assert result.exit_code == 0, (result.output, result.exception)
    return result.stdout.splitlines()


def pricing_rows(lines: list[str]) -> set[tuple[str, ...]]:
    """Return `pricing init` lines as (outcome, provider, model, input, output, managed by)."""
    return {tuple(line.split()) for line in lines}


def test_db_upgrade_applies_the_migrations_once(cli: Cli, repo_root: Path) -> None:
    migrations = {
        path.name for path in (repo_root / "migrations" / "sqlite" / "models").glob("[0-9]*.py")
    }

    first = succeeded(cli("db", "upgrade"))
    second = succeeded(cli("db", "upgrade"))

    assert len(first) == 1
    assert first[0].startswith("applied: ")
    assert set(first[0].removeprefix("applied: ").split(", ")) == migrations
    assert second == ["database already at head"]


def test_pricing_init_creates_then_keeps_then_updates_the_environment_rows(cli: Cli) -> None:
    created = succeeded(cli("pricing", "init"))
    unchanged = succeeded(cli("pricing", "init"))
    updated = succeeded(cli("pricing", "init", HUGGINGFACE_INPUT_TOKEN_COST="0.0000015"))

    assert pricing_rows(created) == {
        ("created", "mistral", "gpt-oss-120b", "0.000001", "0.000003", "ENVIRONMENT"),
        ("created", "mistral", "default", "0.000001", "0.000003", "ENVIRONMENT"),
    }
    assert pricing_rows(unchanged) == {
        ("unchanged", "mistral", "gpt-oss-120b", "0.000001", "0.000003", "ENVIRONMENT"),
        ("unchanged", "mistral", "default", "0.000001", "0.000003", "ENVIRONMENT"),
    }
    assert pricing_rows(updated) == {
        ("updated", "mistral", "gpt-oss-120b", "0.0000015", "0.000003", "ENVIRONMENT"),
        ("updated", "mistral", "default", "0.0000015", "0.000003", "ENVIRONMENT"),
    }


def test_pricing_list_shows_prices_in_plain_decimal_notation(cli: Cli) -> None:
    # Decimal("0.0000001") prints as 1E-7 unless formatted on purpose.
    prices = {"HUGGINGFACE_INPUT_TOKEN_COST": "0.0000001", "HUGGINGFACE_OUTPUT_TOKEN_COST": "2.50"}
    summary, header, *rows = succeeded(cli("pricing", "list", **prices))

    assert summary == "2 prices (2 ENVIRONMENT)"
    assert header.split() == ["PROVIDER", "MODEL", "INPUT", "OUTPUT", "MANAGED", "BY"]
    assert {tuple(row.split()) for row in rows} == {
        ("mistral", "gpt-oss-120b", "0.0000001", "2.5", "ENVIRONMENT"),
        ("mistral", "default", "0.0000001", "2.5", "ENVIRONMENT"),
    }


def test_cost_of_the_worked_example_is_priced_by_short_name(cli: Cli) -> None:
    # On a fresh database too: the command prepares it as the server would.
    lines = succeeded(cli(*WORKED_EXAMPLE))

    assert lines[0] == "priced by: SHORT_NAME (row mistral gpt-oss-120b)"
    assert lines[1].split() == [
        "input",
        "1000",
        "tokens",
        "x",
        "0.000001",
        "USD",
        "=",
        "0.001",
        "USD",
    ]
    assert lines[2].split() == [
        "output",
        "500",
        "tokens",
        "x",
        "0.000003",
        "USD",
        "=",
        "0.0015",
        "USD",
    ]
    assert lines[3] == "total   0.0025 USD"
    assert not any(line.startswith("note:") for line in lines)


def test_cost_of_an_unknown_model_is_the_flagged_builtin_estimate(cli: Cli) -> None:
    lines = succeeded(
        cli(
            "cost",
            "--provider",
            "openai",
            "--model",
            "gpt-unheard-of",
            "--input",
            "1000",
            "--output",
            "500",
        )
    )

    assert lines[0] == "priced by: BUILTIN_ESTIMATE"
    assert lines[1] == "note: no price is known for this model; this is the built-in estimate"
    assert lines[-1] == "total   0.0015 USD"


def test_cost_of_a_service_tier_without_prices_of_its_own_is_standard(cli: Cli) -> None:
    lines = succeeded(cli(*WORKED_EXAMPLE, "--service-tier", "Batch", "--json"))
    answer = json.loads("\n".join(lines))
    assert (answer["serviceTier"], answer["aboveInputTokens"], answer["costTotal"]) == (
        "STANDARD",
        0,
        "0.0025",
    )

    result = cli(*WORKED_EXAMPLE, "--service-tier", "turbo")
    assert result.exit_code == 1
    assert "--service-tier must be one of standard, batch, flex, priority" in result.stderr


def test_a_bad_setting_exits_2_naming_the_variable(cli: Cli) -> None:
    result = cli(*WORKED_EXAMPLE, HUGGINGFACE_INPUT_TOKEN_COST="-1")

    assert result.exit_code == 2
    assert "HUGGINGFACE_INPUT_TOKEN_COST" in result.stderr
    assert "negative" in result.stderr
    assert result.stdout == ""


def test_an_empty_model_exits_1_naming_the_field(cli: Cli) -> None:
    result = cli("cost", "--provider", "openai", "--model", "", "--input", "1", "--output", "1")

    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1].startswith("error: ")
    assert "model" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["cost", "--provider", "openai", "--model", " ", "--input", "1", "--output", "1"],
            "--model must not be empty",
        ),
        (
            ["keys", "create", "--name", "ci", "--scope", "admin", "--user", "bob"],
            "--user binds READ and INGEST keys; an ADMIN key sees every user",
        ),
        (
            ["usage", "reprice", "--from", "2026-02-01", "--to", "2026-01-01"],
            "--to must be later than --from",
        ),
        (
            [
                "cost",
                "--provider",
                "openai",
                "--model",
                "x",
                "--input",
                "1" + "0" * 18,
                "--output",
                "1",
            ],
            "--input and --output at this price exceed the largest recordable cost",
        ),
    ],
)
def test_errors_name_the_options_the_user_typed(cli: Cli, args: list[str], message: str) -> None:
    result = cli(*args)

    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines()[-1] == f"error: {message}"
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("flags", "variable"), [(["--port", "70000"], "PORT"), (["--port", "0"], "PORT")]
)
def test_serve_flags_are_validated_like_the_settings(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, flags: list[str], variable: str
) -> None:
    served: list[object] = []
    monkeypatch.setattr(
        "billgraph.serving.uvicorn.run", lambda *args, **kwargs: served.append(args)
    )

    result = cli("serve", *flags)

    assert result.exit_code == 2
    assert f"{variable}:" in result.stderr
    assert served == []


def test_serve_flags_override_the_settings(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    served: list[dict[str, object]] = []
    monkeypatch.setattr(
        "billgraph.serving.uvicorn.run", lambda *args, **kwargs: served.append(kwargs)
    )

    lines = succeeded(cli("serve", "--host", "0.0.0.0", "--port", "9123", PORT="8001"))  # noqa: S104

    assert served[0]["host"] == "0.0.0.0"  # noqa: S104
    assert served[0]["port"] == 9123
    assert served[0]["workers"] == 1
    # The serving banner waits for the port to answer, which a stub never does.
    assert not any("serving" in line for line in lines)
