"""The `billgraph` command reads cleanly: help without type noise, summaries first, --json.

On a scratch SQLite database (the commands call asyncio.run themselves).
"""

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from typer.models import CommandInfo
from typer.testing import CliRunner, Result

from billgraph.cli import app
from tests.test_catalog import CATALOG_PATH, CREATED, SKIPPED
from tests.test_cli import WORKED_EXAMPLE, Cli, succeeded

JSON_COMMANDS = [
    ["pricing", "list"],
    ["pricing", "import"],
    ["keys", "list"],
    ["providers", "list"],
    ["rollups", "verify"],
    ["cost"],
]


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    monkeypatch.chdir(tmp_path)  # no developer's .env file
    runner = CliRunner()
    environment: dict[str, str | None] = {
        "DATABASE_URL": f"sqlite://{tmp_path / 'cli.sqlite3'}",
        "HUGGINGFACE_INPUT_TOKEN_COST": None,
        "HUGGINGFACE_OUTPUT_TOKEN_COST": None,
        "ADMIN_API_KEY": None,
        "COLUMNS": "100",
    }

    def invoke(*args: str) -> Result:
        # Every test here starts from no database file (see tests/test_operations_cli.py
        # for the refusal to create one without the flag).
        return runner.invoke(app, ["--create-database", *args], env=environment)

    return invoke


def json_of(result: Result) -> Any:
    assert result.exit_code in {0, 1}, (result.output, result.exception)
    return json.loads(result.stdout)


def command_name(command: CommandInfo) -> str:
    assert command.callback is not None
    return command.name or command.callback.__name__.replace("_", "-")


def every_command_path() -> list[list[str]]:
    paths: list[list[str]] = [[]]
    for group in app.registered_groups:
        assert group.name is not None
        assert group.typer_instance is not None
        paths.append([group.name])
        paths.extend(
            [group.name, command_name(command)]
            for command in group.typer_instance.registered_commands
        )
    paths.extend([command_name(command)] for command in app.registered_commands)
    return paths


@pytest.mark.parametrize("path", every_command_path(), ids=" ".join)
def test_help_shows_no_type_label_on_flags(cli: Cli, path: list[str]) -> None:
    text = succeeded(cli(*path, "--help"))

    assert not any("<bool>" in line for line in text)
    # Options name what they take (NAME, N, PROVIDER...) instead of a Python type.
    assert not any("<str>" in line or "<int" in line for line in text if " --" in line)


@pytest.mark.parametrize("path", JSON_COMMANDS, ids=" ".join)
def test_long_outputs_offer_json(cli: Cli, path: list[str]) -> None:
    help_text = " ".join(succeeded(cli(*path, "--help")))

    assert "--json" in help_text
    assert "Print JSON for scripts" in help_text


def test_pricing_list_starts_with_a_summary_and_has_json(cli: Cli) -> None:
    lines = succeeded(cli("pricing", "list"))
    rows = json_of(cli("pricing", "list", "--json"))

    assert lines[0] == "2 prices (2 ENVIRONMENT)"
    assert {(row["modelName"], row["inputTokenCost"], row["outputTokenCost"]) for row in rows} == {
        ("gpt-oss-120b", "0.000001", "0.000003"),
        ("default", "0.000001", "0.000003"),
    }
    assert {row["managedBy"] for row in rows} == {"ENVIRONMENT"}
    assert rows[0]["cachedInputTokenCost"] is None
    assert rows[0]["effectiveFrom"].endswith("+00:00")


def test_providers_list_names_each_provider_and_whose_prices_it_uses(cli: Cli) -> None:
    lines = succeeded(cli("providers", "list"))
    rows = json_of(cli("providers", "list", "--json"))

    assert lines[0] == "10 providers"
    assert "huggingface mistral BUILTIN Hugging Face" in [" ".join(line.split()) for line in lines]
    assert {row["id"]: row["pricingProvider"] for row in rows}["huggingface"] == "mistral"
    assert len(rows) == 10


def test_keys_list_starts_with_a_summary_and_its_json_holds_no_secret(cli: Cli) -> None:
    created = succeeded(cli("keys", "create", "--name", "dash", "--scope", "READ"))
    secret = created[-1].rsplit(" ", 1)[-1]
    succeeded(cli("keys", "create", "--name", "app", "--scope", "ingest", "--user", "alice"))
    succeeded(cli("keys", "revoke", "1"))

    lines = succeeded(cli("keys", "list"))
    result = cli("keys", "list", "--json")
    keys = json_of(result)

    assert lines[0] == "2 keys: 1 active, 1 revoked"
    assert secret not in result.stdout
    assert sorted((key["id"], key["name"], key["status"], key["scopes"]) for key in keys) == [
        (1, "dash", "revoked", ["READ"]),
        (2, "app", "active", ["INGEST"]),
    ]
    assert {key["name"]: key["userId"] for key in keys} == {"dash": None, "app": "alice"}


def test_the_import_dry_run_lists_the_names_after_the_summary(cli: Cli) -> None:
    result = cli("pricing", "import", str(CATALOG_PATH))
    lines = succeeded(result)

    table_end = next(index for index, line in enumerate(lines) if line.startswith("would create"))
    assert any("created" in line for line in lines[:table_end])  # the summary table comes first
    assert lines[table_end] == "would create 13:"
    names = [line.split()[1] for line in lines[table_end + 1 : table_end + 14]]
    assert names == [name.rsplit("/", 1)[-1] for name in CREATED]
    assert lines[table_end + 14] == "would update 0"
    assert lines[table_end + 15] == "would leave 0"
    assert lines[table_end + 16] == "would skip 12:"
    assert lines[table_end + 1].split() == ["openai", "gpt-4o", "0.0000025", "0.00001"]


def test_the_import_names_what_it_would_update(cli: Cli, tmp_path: Path) -> None:
    succeeded(
        cli("pricing", "import", str(CATALOG_PATH), "--apply", "--effective-from", "2025-01-01")
    )
    changed = json.loads(CATALOG_PATH.read_text())
    changed["gpt-4o"]["input_cost_per_token"] = 0.000003
    catalog = tmp_path / "changed.json"
    catalog.write_text(json.dumps(changed))

    lines = succeeded(cli("pricing", "import", str(catalog)))

    update = lines.index("would update 1:")
    assert lines[update + 1].split() == ["openai", "gpt-4o", "0.000003", "0.00001"]
    assert "would create 0" in lines


def test_the_import_json_has_every_entry_with_exact_prices(cli: Cli) -> None:
    report = json_of(cli("pricing", "import", str(CATALOG_PATH), "--json"))

    assert report["dryRun"] is True
    assert [entry["name"] for entry in report["created"]] == CREATED
    assert report["updated"] == []
    assert report["unchanged"] == []
    assert {entry["name"] for entry in report["skipped"]} == set(SKIPPED)
    kinds = {entry["name"]: entry["kind"] for entry in report["skipped"]}
    assert kinds["whisper-1"] == "no per-token price (priced per second)"
    assert kinds["gpt-4.1-nano"] == "a price needs more than 12 decimal places"
    assert sum(report["skippedByKind"].values()) == len(SKIPPED)
    assert report["newProviders"] == ["azure", "bedrock"]
    sonnet = next(e for e in report["created"] if e["modelName"] == "claude-3-5-sonnet-20241022")
    assert sonnet["provider"] == "anthropic"
    assert (sonnet["inputTokenCost"], sonnet["outputTokenCost"]) == ("0.000003", "0.000015")


def test_cost_json_gives_the_worked_example(cli: Cli) -> None:
    priced = json_of(cli(*WORKED_EXAMPLE, "--json"))

    assert priced["source"] == "SHORT_NAME"
    assert priced["matchedModelName"] == "gpt-oss-120b"
    assert (priced["costInput"], priced["costOutput"], priced["costTotal"]) == (
        "0.001",
        "0.0015",
        "0.0025",
    )
    assert priced["isEstimate"] is False


def test_rollups_verify_json_reports_a_match_then_a_difference(cli: Cli, tmp_path: Path) -> None:
    succeeded(cli("demo", "seed", "--logs", "20", "--users", "3", "--days", "2"))
    matching = json_of(cli("rollups", "verify", "--json"))
    with sqlite3.connect(tmp_path / "cli.sqlite3") as database:
        database.execute("UPDATE usage_rollup_hourly SET requests = requests + 1")
    differing = cli("rollups", "verify", "--json")
    text = cli("rollups", "verify")

    assert matching == {"match": True, "differences": []}
    assert differing.exit_code == 1
    report = json.loads(differing.stdout)
    assert report["match"] is False
    assert report["differences"][0]["table"] == "usage_rollup_hourly"
    assert text.exit_code == 1
    assert text.stdout.splitlines()[0].endswith("groups differ: run `billgraph rollups rebuild`")
