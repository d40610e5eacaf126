"""Importing a LiteLLM price catalog: the service, importPricingCatalog, `pricing import`.

Every test reads tests/data/litellm_catalog.json, a small catalog made for them in
LiteLLM's model_prices_and_context_window.json format: known and unknown providers,
entries without token prices, a price with 13 decimal places, a negative price, entries
that are not objects, and numbers written as 2.5e-06, 0.00000015 and 0.
"""

import asyncio
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from tortoise.context import TortoiseContext
from typer.testing import CliRunner, Result

from billgraph.cli import app as cli_app
from billgraph.db import tortoise_config
from billgraph.models import Pricing, PricingAudit, PricingRevision
from billgraph.services import pricing_admin
from billgraph.services.api_keys import SYSTEM
from billgraph.services.audit import record_pricing_change
from billgraph.services.catalog import import_catalog, parse_catalog
from tests.conftest import Api, Database, create_key

CATALOG_PATH = Path(__file__).parent / "data" / "litellm_catalog.json"
CATALOG_TEXT = CATALOG_PATH.read_text()

# What the catalog holds, in its order, on a database with only the startup rows.
CREATED = [
    "gpt-4o",
    "gpt-4o-mini",
    "o3-mini",
    "text-embedding-3-small",
    "claude-3-5-sonnet-20241022",
    "gemini/gemini-1.5-pro",
    "mistral/mistral-large-latest",
    "groq/llama-3.1-8b-instant",
    "deepseek/deepseek-chat",
    "xai/grok-2",
    "command-r",
]
# Each skipped entry and the words its reason must contain.
SKIPPED = {
    "sample_spec": ["unknown provider", "one of https://docs.litellm.ai/docs/providers"],
    "XAI/Grok-2": ["the same model appears twice"],
    "gpt-oss-120b": ["managed by ENVIRONMENT"],
    "azure/gpt-4o": ["unknown provider", "azure"],
    "bedrock/anthropic.claude-3-5-sonnet-20241022-v2:0": ["unknown provider", "bedrock"],
    "standard/1024-x-1024/dall-e-3": ["no per-token input and output prices"],
    "whisper-1": ["no per-token input and output prices"],
    "tts-1": ["no per-token input and output prices"],
    # 1.000001e-07 = 0.0000001000001: reported with its digits, never rounded to 0.0000001.
    "gpt-4.1-nano": ["inputTokenCost", "more than 12 decimal places", "1.000001E-7"],
    "mistral/mistral-small-latest": ["outputTokenCost", "must not be negative"],
    "groq/gemma2-9b-it": ["inputTokenCost", "not a number", "free"],
    "mystery-model": ["unknown provider"],
    "litellm_note": ["not an object"],
    "broken-entry": ["not an object"],
}

IMPORT = """
mutation ($catalog: String!, $dryRun: Boolean!, $effectiveFrom: DateTime) {
  importPricingCatalog(catalog: $catalog, dryRun: $dryRun, effectiveFrom: $effectiveFrom) {
    dryRun effectiveFrom unchangedCount
    created { ...price }
    updated { ...price }
    skipped { name reason }
  }
}
fragment price on CatalogPrice {
  name provider modelName inputTokenCost outputTokenCost
  cachedInputTokenCost cacheWriteTokenCost reasoningTokenCost
}"""
PRICINGS = """
query ($provider: Provider) {
  pricings(provider: $provider) {
    provider modelName inputTokenCost outputTokenCost cachedInputTokenCost
    cacheWriteTokenCost reasoningTokenCost managedBy effectiveFrom
  }
}"""
VERSIONS = """
query ($provider: Provider!, $modelName: String!) {
  pricingVersions(provider: $provider, modelName: $modelName) {
    modelName inputTokenCost outputTokenCost cachedInputTokenCost managedBy effectiveFrom
  }
}"""
HISTORY = """
query ($provider: Provider!, $modelName: String!) {
  pricingHistory(provider: $provider, modelName: $modelName) {
    edges { node { action apiKeyName oldValues newValues } }
  }
}"""
UPSERT = """
mutation ($input: PricingInput!) { upsertPricing(input: $input) { id managedBy } }"""
RECORD = """
mutation ($input: RecordUsageInput!) {
  recordUsage(input: $input) { costInput costOutput costTotal pricingSource matchedModelName }
}"""


async def run_import(
    api: Api,
    *,
    dry_run: bool,
    catalog: str = CATALOG_TEXT,
    effective_from: datetime | None = None,
) -> dict[str, Any]:
    variables = {
        "catalog": catalog,
        "dryRun": dry_run,
        "effectiveFrom": effective_from.isoformat() if effective_from else None,
    }
    report: dict[str, Any] = (await api.data(IMPORT, variables))["importPricingCatalog"]
    return report


def check_skipped(skipped: list[dict[str, str]], expected: dict[str, list[str]]) -> None:
    reasons = {entry["name"]: entry["reason"] for entry in skipped}
    assert len(skipped) == len(reasons), "an entry is reported twice"
    assert set(reasons) == set(expected)
    for name, words in expected.items():
        for word in words:
            assert word in reasons[name], (name, reasons[name])


async def pricings(api: Api, provider: str | None = None) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = (await api.data(PRICINGS, {"provider": provider}))["pricings"]
    return rows


async def versions(api: Api, provider: str, model: str) -> list[dict[str, Any]]:
    data = await api.data(VERSIONS, {"provider": provider, "modelName": model})
    rows: list[dict[str, Any]] = data["pricingVersions"]
    return rows


async def history(api: Api, provider: str, model: str) -> list[dict[str, Any]]:
    data = await api.data(HISTORY, {"provider": provider, "modelName": model})
    return [edge["node"] for edge in data["pricingHistory"]["edges"]]


def whole_hour_days_ago(days: int) -> datetime:
    """A whole hour `days` days ago: a past moment that usage may be recorded at."""
    return datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(days=days)


# --- GraphQL ------------------------------------------------------------------------------


async def test_a_dry_run_reports_every_entry_and_writes_nothing(api: Api) -> None:
    before = await pricings(api)

    report = await run_import(api, dry_run=True)

    assert report["dryRun"] is True
    assert [entry["name"] for entry in report["created"]] == CREATED
    assert report["updated"] == []
    assert report["unchangedCount"] == 0
    check_skipped(report["skipped"], SKIPPED)
    by_name = {entry["name"]: entry for entry in report["created"]}
    assert by_name["gpt-4o"] == {
        "name": "gpt-4o",
        "provider": "OPENAI",
        "modelName": "gpt-4o",
        "inputTokenCost": "0.0000025",
        "outputTokenCost": "0.00001",
        "cachedInputTokenCost": "0.00000125",
        "cacheWriteTokenCost": None,
        "reasoningTokenCost": None,
    }
    assert by_name["command-r"]["provider"] == "COHERE"
    assert by_name["gemini/gemini-1.5-pro"]["provider"] == "GOOGLE"
    # Nothing was written: no price, no audit row.
    assert await pricings(api) == before
    assert await history(api, "OPENAI", "gpt-4o") == []
    assert await versions(api, "OPENAI", "gpt-4o") == []


async def test_applying_writes_catalog_versions_with_the_exact_prices(api: Api) -> None:
    starts = whole_hour_days_ago(days=1)

    report = await run_import(api, dry_run=False, effective_from=starts)

    assert report["dryRun"] is False
    assert report["effectiveFrom"] == starts.isoformat()
    assert [entry["name"] for entry in report["created"]] == CREATED
    check_skipped(report["skipped"], SKIPPED)
    openai = await pricings(api, "OPENAI")
    assert [(row["modelName"], row["managedBy"]) for row in openai] == [
        ("gpt-4o", "CATALOG"),
        ("gpt-4o-mini", "CATALOG"),
        ("o3-mini", "CATALOG"),
        ("text-embedding-3-small", "CATALOG"),
    ]
    prices = {
        (row["provider"], row["modelName"]): (
            row["inputTokenCost"],
            row["outputTokenCost"],
            row["cachedInputTokenCost"],
            row["cacheWriteTokenCost"],
            row["reasoningTokenCost"],
        )
        for row in await pricings(api)
    }
    assert prices == {
        ("OPENAI", "gpt-4o"): ("0.0000025", "0.00001", "0.00000125", None, None),
        ("OPENAI", "gpt-4o-mini"): ("0.00000015", "0.0000006", "0.000000075", None, None),
        ("OPENAI", "o3-mini"): ("0.0000011", "0.0000044", "0.00000055", None, "0.0000044"),
        ("OPENAI", "text-embedding-3-small"): ("0.00000002", "0", None, None, None),
        ("ANTHROPIC", "claude-3-5-sonnet-20241022"): (
            "0.000003",
            "0.000015",
            "0.0000003",
            "0.00000375",
            None,
        ),
        ("GOOGLE", "gemini-1.5-pro"): ("0.00000125", "0.000005", None, None, None),
        ("MISTRAL", "mistral-large-latest"): ("0.000002", "0.000006", None, None, None),
        ("GROQ", "llama-3.1-8b-instant"): ("0.00000005", "0.00000008", None, None, None),
        ("DEEPSEEK", "deepseek-chat"): (
            "0.00000027",
            "0.0000011",
            "0.00000007",
            "0",
            None,
        ),
        ("XAI", "grok-2"): ("0.000002", "0.00001", None, None, None),
        ("COHERE", "command-r"): ("0.00000015", "0.0000006", None, None, None),
        # The startup rows stay as they were.
        ("MISTRAL", "default"): ("0.000001", "0.000003", None, None, None),
        ("MISTRAL", "gpt-oss-120b"): ("0.000001", "0.000003", None, None, None),
    }
    assert await versions(api, "OPENAI", "gpt-4o") == [
        {
            "modelName": "gpt-4o",
            "inputTokenCost": "0.0000025",
            "outputTokenCost": "0.00001",
            "cachedInputTokenCost": "0.00000125",
            "managedBy": "CATALOG",
            "effectiveFrom": starts.isoformat(),
        }
    ]
    # Skipped entries wrote nothing, in particular no rounded price.
    assert await versions(api, "OPENAI", "gpt-4.1-nano") == []
    assert await versions(api, "MISTRAL", "mistral-small-latest") == []
    assert await versions(api, "OPENAI", "azure/gpt-4o") == []


async def test_a_second_apply_of_the_same_catalog_changes_nothing(api: Api) -> None:
    await run_import(api, dry_run=False)
    first = await pricings(api)

    again = await run_import(api, dry_run=False)

    assert again["created"] == again["updated"] == []
    assert again["unchangedCount"] == len(CREATED)
    check_skipped(again["skipped"], SKIPPED)
    assert await pricings(api) == first
    assert len(await history(api, "OPENAI", "gpt-4o")) == 1


async def test_each_applied_change_is_audited_as_an_import(api: Api) -> None:
    await run_import(api, dry_run=False)

    for provider, model in (("OPENAI", "gpt-4o"), ("XAI", "grok-2"), ("COHERE", "command-r")):
        changes = await history(api, provider, model)
        assert [change["action"] for change in changes] == ["IMPORT"], (model, changes)
        assert changes[0]["apiKeyName"] == "ADMIN_API_KEY"
        assert changes[0]["oldValues"] is None
        assert changes[0]["newValues"]["managedBy"] == "CATALOG"
    gpt_4o = (await history(api, "OPENAI", "gpt-4o"))[0]["newValues"]
    assert gpt_4o["inputTokenCost"] == "0.0000025"
    assert gpt_4o["cachedInputTokenCost"] == "0.00000125"
    assert await history(api, "OPENAI", "gpt-4.1-nano") == []


async def test_a_changed_catalog_applied_later_adds_a_version_from_then(api: Api) -> None:
    first_start = whole_hour_days_ago(days=4)
    second_start = whole_hour_days_ago(days=2)
    await run_import(api, dry_run=False, effective_from=first_start)
    gpt_4o = {"provider": "OPENAI", "model": "gpt-4o", "tokensInput": 1000, "tokensOutput": 500}
    before = await api.data(
        RECORD, {"input": {**gpt_4o, "occurredAt": (first_start + timedelta(hours=1)).isoformat()}}
    )
    changed = json.loads(CATALOG_TEXT)
    changed["gpt-4o"]["input_cost_per_token"] = 2e-06

    plan = await run_import(
        api, dry_run=True, catalog=json.dumps(changed), effective_from=second_start
    )
    applied = await run_import(
        api, dry_run=False, catalog=json.dumps(changed), effective_from=second_start
    )

    for report in (plan, applied):
        assert report["created"] == []
        assert [(entry["name"], entry["inputTokenCost"]) for entry in report["updated"]] == [
            ("gpt-4o", "0.000002")
        ]
        assert report["unchangedCount"] == len(CREATED) - 1
    assert [
        (row["inputTokenCost"], row["managedBy"], row["effectiveFrom"])
        for row in await versions(api, "OPENAI", "gpt-4o")
    ] == [
        ("0.0000025", "CATALOG", first_start.isoformat()),
        ("0.000002", "CATALOG", second_start.isoformat()),
    ]
    # Usage before the new version keeps (and is still priced by) the old one.
    assert before["recordUsage"]["costTotal"] == "0.0075"
    late_old = await api.data(
        RECORD, {"input": {**gpt_4o, "occurredAt": (second_start - timedelta(hours=1)).isoformat()}}
    )
    new = await api.data(
        RECORD, {"input": {**gpt_4o, "occurredAt": (second_start + timedelta(hours=1)).isoformat()}}
    )
    assert late_old["recordUsage"]["costTotal"] == "0.0075"
    assert new["recordUsage"] == {
        "costInput": "0.002",
        "costOutput": "0.005",
        "costTotal": "0.007",
        "pricingSource": "EXACT",
        "matchedModelName": "gpt-4o",
    }
    changes = await history(api, "OPENAI", "gpt-4o")
    assert [change["action"] for change in changes] == ["IMPORT", "IMPORT"]
    assert changes[0]["oldValues"]["inputTokenCost"] == "0.0000025"
    assert changes[0]["newValues"]["inputTokenCost"] == "0.000002"


async def test_admin_and_environment_managed_prices_are_left_alone(api: Api) -> None:
    admin_price = {
        "provider": "OPENAI",
        "modelName": "gpt-4o-mini",
        "inputTokenCost": "0.0000002",
        "outputTokenCost": "0.0000008",
    }
    await api.data(UPSERT, {"input": admin_price})

    plan = await run_import(api, dry_run=True)
    applied = await run_import(api, dry_run=False)

    for report in (plan, applied):
        assert [entry["name"] for entry in report["created"]] == [
            name for name in CREATED if name != "gpt-4o-mini"
        ]
        check_skipped(report["skipped"], {**SKIPPED, "gpt-4o-mini": ["managed by ADMIN"]})
    assert [
        (row["inputTokenCost"], row["outputTokenCost"], row["managedBy"])
        for row in await versions(api, "OPENAI", "gpt-4o-mini")
    ] == [("0.0000002", "0.0000008", "ADMIN")]
    assert [
        (row["inputTokenCost"], row["managedBy"])
        for row in await versions(api, "MISTRAL", "gpt-oss-120b")
    ] == [("0.000001", "ENVIRONMENT")]
    assert [change["action"] for change in await history(api, "OPENAI", "gpt-4o-mini")] == [
        "UPSERT"
    ]


async def test_an_apply_that_fails_part_way_writes_nothing(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = await pricings(api)
    calls = 0

    async def failing_on_the_third(**arguments: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise RuntimeError("the audit trail is unavailable")
        return await record_pricing_change(**arguments)

    # The audit writer as write_version calls it, for every version it writes.
    monkeypatch.setattr(pricing_admin, "record_pricing_change", failing_on_the_third)

    error = await api.error(IMPORT, {"catalog": CATALOG_TEXT, "dryRun": False})

    assert calls == 3
    assert error["extensions"]["code"] == "INTERNAL"
    monkeypatch.undo()
    assert await pricings(api) == before
    for model in ("gpt-4o", "gpt-4o-mini", "o3-mini"):
        assert await versions(api, "OPENAI", model) == []
        assert await history(api, "OPENAI", model) == []
    # Once the writer works again, the same import goes through.
    report = await run_import(api, dry_run=False)
    assert [entry["name"] for entry in report["created"]] == CREATED


@pytest.mark.parametrize("scope", ["READ", "INGEST"])
async def test_importing_needs_the_admin_scope(api: Api, scope: str) -> None:
    secret = await create_key(api, [scope])

    for dry_run in (True, False):
        error = await api.error(IMPORT, {"catalog": CATALOG_TEXT, "dryRun": dry_run}, key=secret)
        assert error["extensions"]["code"] == "FORBIDDEN"
    assert await versions(api, "OPENAI", "gpt-4o") == []


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('{"gpt-4o": {"input_cost_per_token": 2.5e-06,', "catalog is not JSON"),
        ("", "catalog is not JSON"),
        ('[{"gpt-4o": {}}]', "catalog must be a JSON object"),
        ('"gpt-4o"', "catalog must be a JSON object"),
    ],
)
async def test_a_malformed_catalog_is_bad_user_input_naming_catalog(
    api: Api, text: str, words: str
) -> None:
    error = await api.error(IMPORT, {"catalog": text, "dryRun": False})

    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == "catalog"
    assert words in error["message"]
    assert await versions(api, "OPENAI", "gpt-4o") == []


# --- the service ---------------------------------------------------------------------------


async def test_the_service_dry_run_on_an_empty_database_writes_nothing(orm: Database) -> None:
    del orm
    starts = datetime(2025, 1, 1, tzinfo=UTC)

    report = await import_catalog(
        catalog=parse_catalog(CATALOG_PATH.read_bytes()),
        dry_run=True,
        effective_from=starts,
        actor=SYSTEM,
    )

    # With no startup rows, the HuggingFace entry would create a MISTRAL price.
    assert [entry.name for entry in report.created] == [*CREATED, "gpt-oss-120b"]
    assert report.updated == report.unchanged == []
    check_skipped(
        [{"name": entry.name, "reason": entry.reason} for entry in report.skipped],
        {name: words for name, words in SKIPPED.items() if name != "gpt-oss-120b"},
    )
    nano = next(entry for entry in report.skipped if entry.name == "gpt-4.1-nano")
    assert nano.reason == "inputTokenCost has more than 12 decimal places: 1.000001E-7"
    assert await Pricing.all().count() == 0
    assert await PricingAudit.all().count() == 0
    assert await PricingRevision.all().count() == 0


# --- the command line ----------------------------------------------------------------------

Cli = Callable[..., Result]


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """Return a runner of `billgraph ARGS...` on a scratch SQLite database in tmp_path."""
    monkeypatch.chdir(tmp_path)  # no developer's .env file
    runner = CliRunner()
    environment: dict[str, str | None] = {
        "DATABASE_URL": f"sqlite://{tmp_path / 'catalog.sqlite3'}",
        "HUGGINGFACE_INPUT_TOKEN_COST": None,
        "HUGGINGFACE_OUTPUT_TOKEN_COST": None,
        "ADMIN_API_KEY": None,
    }

    def invoke(*args: str) -> Result:
        return runner.invoke(cli_app, ["--create-database", *args], env=environment)

    return invoke


def summary(result: Result) -> dict[str, int]:
    """Return the counts of the summary table a successful `pricing import` printed."""
    assert result.exit_code == 0, (result.output, result.exception)
    lines = result.stdout.splitlines()
    header = next(index for index, line in enumerate(lines) if "created" in line)
    names = re.findall(r"[a-z]+", lines[header])
    counts = next(
        [int(number) for number in re.findall(r"\d+", line)]
        for line in lines[header + 1 :]
        if re.search(r"\d", line)
    )
    return dict(zip(names, counts, strict=True))


def listed(cli: Cli) -> set[tuple[str, ...]]:
    result = cli("pricing", "list")
    assert result.exit_code == 0, (result.output, result.exception)
    return {tuple(line.split()) for line in result.stdout.splitlines()[2:]}


def test_the_cli_dry_run_prints_a_summary_and_writes_nothing(cli: Cli) -> None:
    result = cli("pricing", "import", str(CATALOG_PATH))

    assert summary(result) == {"created": 11, "updated": 0, "unchanged": 0, "skipped": 14}
    assert "dry run" in result.stdout
    assert "run again with --apply" in result.stdout
    skipped_lines = {" ".join(line.split()) for line in result.stdout.splitlines()}
    # One line per kind of skip (a real catalog has hundreds of entries); --json has each.
    assert "skipped 4 unknown provider" in skipped_lines
    assert "skipped 3 no per-token input and output prices" in skipped_lines
    assert "skipped 2 not an object" in skipped_lines
    assert "skipped 1 managed by ENVIRONMENT" in skipped_lines
    assert "skipped 1 inputTokenCost has more than 12 decimal places" in skipped_lines
    assert {row[1] for row in listed(cli)} == {"default", "gpt-oss-120b"}


def test_the_cli_writes_with_apply_and_a_second_apply_is_unchanged(cli: Cli) -> None:
    applied = cli("pricing", "import", str(CATALOG_PATH), "--apply")
    again = cli("pricing", "import", str(CATALOG_PATH), "--apply")

    assert summary(applied) == {"created": 11, "updated": 0, "unchanged": 0, "skipped": 14}
    assert "run again with --apply" not in applied.stdout
    assert summary(again) == {"created": 0, "updated": 0, "unchanged": 11, "skipped": 14}
    rows = listed(cli)
    assert ("OPENAI", "gpt-4o", "0.0000025", "0.00001", "CATALOG") in rows
    assert ("ANTHROPIC", "claude-3-5-sonnet-20241022", "0.000003", "0.000015", "CATALOG") in rows
    assert ("MISTRAL", "gpt-oss-120b", "0.000001", "0.000003", "ENVIRONMENT") in rows
    assert len(rows) == 13


def test_the_cli_apply_starts_the_prices_at_effective_from(cli: Cli, tmp_path: Path) -> None:
    result = cli(
        "pricing", "import", str(CATALOG_PATH), "--apply", "--effective-from", "2025-03-01"
    )

    async def starts_of_gpt_4o() -> set[datetime]:
        async with TortoiseContext() as context:
            await context.init(config=tortoise_config(f"sqlite://{tmp_path / 'catalog.sqlite3'}"))
            return {row.effective_from for row in await Pricing.filter(model_key="gpt-4o")}

    assert summary(result)["created"] == 11
    assert asyncio.run(starts_of_gpt_4o()) == {datetime(2025, 3, 1, tzinfo=UTC)}


def test_the_cli_reports_a_malformed_catalog_in_one_line(cli: Cli, tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"gpt-4o": {"input_cost_per_token": 2.5e-06,')

    result = cli("pricing", "import", str(broken))

    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "error: catalog is not JSON" in result.stderr


async def test_provider_prefixed_entries_price_calls_that_name_the_bare_model(api: Api) -> None:
    await run_import(api, dry_run=False, effective_from=datetime(2000, 1, 1, tzinfo=UTC))
    query = """
    query ($provider: Provider!, $model: String!) {
      resolvePricing(provider: $provider, model: $model) { source matchedModelName inputTokenCost }
    }"""
    for provider, model, price in (
        ("GROQ", "llama-3.1-8b-instant", "0.00000005"),
        ("XAI", "grok-2", "0.000002"),
        ("GOOGLE", "gemini/gemini-1.5-pro", "0.00000125"),
    ):
        resolved = (await api.data(query, {"provider": provider, "model": model}))["resolvePricing"]
        assert resolved["inputTokenCost"] == price, (provider, model)
        assert resolved["source"] in {"EXACT", "SHORT_NAME"}
