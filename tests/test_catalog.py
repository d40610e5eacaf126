"""Importing a LiteLLM price catalog: the service, importPricingCatalog, `pricing import`.

Every test reads tests/data/litellm_catalog.json, a small catalog made for them in
LiteLLM's model_prices_and_context_window.json format: known and unknown providers,
entries without token prices, a price with 13 decimal places, a negative price, entries
that are not objects, and numbers written as 2.5e-06, 0.00000015 and 0.
"""

import asyncio
import base64
import gzip
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
from billgraph.services import catalog as catalog_service
from billgraph.services.api_keys import SYSTEM
from billgraph.services.catalog import import_catalog, parse_catalog
from billgraph.services.errors import InvalidInputError
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
    # providers billgraph had not registered: the import registers them
    "azure/gpt-4o",
    "bedrock/anthropic.claude-3-5-sonnet-20241022-v2:0",
]
# Each skipped entry and the words its reason must contain.
SKIPPED = {
    "sample_spec": ["unknown provider", "one of https://docs.litellm.ai/docs/providers"],
    "XAI/Grok-2": ["the same model appears twice"],
    "gpt-oss-120b": ["managed by ENVIRONMENT"],
    "standard/1024-x-1024/dall-e-3": ["no per-token price", "priced per pixel"],
    "whisper-1": ["no per-token price", "priced per second"],
    "tts-1": ["no per-token price", "priced per character"],
    # 1.000001e-07 = 0.0000001000001: reported with its digits, never rounded to 0.0000001.
    "gpt-4.1-nano": ["input_cost_per_token", "more than 12 decimal places", "1.000001E-7"],
    "mistral/mistral-small-latest": ["output_cost_per_token", "must not be negative"],
    "groq/gemma2-9b-it": ["input_cost_per_token", "not a number", "free"],
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
        "provider": "openai",
        "modelName": "gpt-4o",
        "inputTokenCost": "0.0000025",
        "outputTokenCost": "0.00001",
        "cachedInputTokenCost": "0.00000125",
        "cacheWriteTokenCost": None,
        "reasoningTokenCost": None,
    }
    assert by_name["command-r"]["provider"] == "cohere"
    assert by_name["gemini/gemini-1.5-pro"]["provider"] == "google"
    # Nothing was written: no price, no audit row.
    assert await pricings(api) == before
    assert await history(api, "openai", "gpt-4o") == []
    assert await versions(api, "openai", "gpt-4o") == []


async def test_applying_writes_catalog_versions_with_the_exact_prices(api: Api) -> None:
    starts = whole_hour_days_ago(days=1)

    report = await run_import(api, dry_run=False, effective_from=starts)

    assert report["dryRun"] is False
    assert report["effectiveFrom"] == starts.isoformat()
    assert [entry["name"] for entry in report["created"]] == CREATED
    check_skipped(report["skipped"], SKIPPED)
    openai = await pricings(api, "openai")
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
        ("openai", "gpt-4o"): ("0.0000025", "0.00001", "0.00000125", None, None),
        ("openai", "gpt-4o-mini"): ("0.00000015", "0.0000006", "0.000000075", None, None),
        ("openai", "o3-mini"): ("0.0000011", "0.0000044", "0.00000055", None, "0.0000044"),
        ("openai", "text-embedding-3-small"): ("0.00000002", "0", None, None, None),
        ("anthropic", "claude-3-5-sonnet-20241022"): (
            "0.000003",
            "0.000015",
            "0.0000003",
            "0.00000375",
            None,
        ),
        ("google", "gemini-1.5-pro"): ("0.00000125", "0.000005", None, None, None),
        ("mistral", "mistral-large-latest"): ("0.000002", "0.000006", None, None, None),
        ("groq", "llama-3.1-8b-instant"): ("0.00000005", "0.00000008", None, None, None),
        ("deepseek", "deepseek-chat"): (
            "0.00000027",
            "0.0000011",
            "0.00000007",
            "0",
            None,
        ),
        ("xai", "grok-2"): ("0.000002", "0.00001", None, None, None),
        ("cohere", "command-r"): ("0.00000015", "0.0000006", None, None, None),
        ("azure", "gpt-4o"): ("0.0000025", "0.00001", None, None, None),
        ("bedrock", "anthropic.claude-3-5-sonnet-20241022-v2:0"): (
            "0.000003",
            "0.000015",
            None,
            None,
            None,
        ),
        # The startup rows stay as they were.
        ("mistral", "default"): ("0.000001", "0.000003", None, None, None),
        ("mistral", "gpt-oss-120b"): ("0.000001", "0.000003", None, None, None),
    }
    assert await versions(api, "openai", "gpt-4o") == [
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
    assert await versions(api, "openai", "gpt-4.1-nano") == []
    assert await versions(api, "mistral", "mistral-small-latest") == []
    assert await versions(api, "openai", "azure/gpt-4o") == []


async def test_a_second_apply_of_the_same_catalog_changes_nothing(api: Api) -> None:
    await run_import(api, dry_run=False)
    first = await pricings(api)

    again = await run_import(api, dry_run=False)

    assert again["created"] == again["updated"] == []
    assert again["unchangedCount"] == len(CREATED)
    check_skipped(again["skipped"], SKIPPED)
    assert await pricings(api) == first
    assert len(await history(api, "openai", "gpt-4o")) == 1


async def test_each_applied_change_is_audited_as_an_import(api: Api) -> None:
    await run_import(api, dry_run=False)

    for provider, model in (("openai", "gpt-4o"), ("xai", "grok-2"), ("cohere", "command-r")):
        changes = await history(api, provider, model)
        assert [change["action"] for change in changes] == ["IMPORT"], (model, changes)
        assert changes[0]["apiKeyName"] == "ADMIN_API_KEY"
        assert changes[0]["oldValues"] is None
        assert changes[0]["newValues"]["managedBy"] == "CATALOG"
    gpt_4o = (await history(api, "openai", "gpt-4o"))[0]["newValues"]
    assert gpt_4o["inputTokenCost"] == "0.0000025"
    assert gpt_4o["cachedInputTokenCost"] == "0.00000125"
    assert await history(api, "openai", "gpt-4.1-nano") == []


async def test_a_changed_catalog_applied_later_adds_a_version_from_then(api: Api) -> None:
    first_start = whole_hour_days_ago(days=4)
    second_start = whole_hour_days_ago(days=2)
    await run_import(api, dry_run=False, effective_from=first_start)
    gpt_4o = {"provider": "openai", "model": "gpt-4o", "tokensInput": 1000, "tokensOutput": 500}
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
        for row in await versions(api, "openai", "gpt-4o")
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
    changes = await history(api, "openai", "gpt-4o")
    assert [change["action"] for change in changes] == ["IMPORT", "IMPORT"]
    assert changes[0]["oldValues"]["inputTokenCost"] == "0.0000025"
    assert changes[0]["newValues"]["inputTokenCost"] == "0.000002"


async def test_admin_and_environment_managed_prices_are_left_alone(api: Api) -> None:
    admin_price = {
        "provider": "openai",
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
        for row in await versions(api, "openai", "gpt-4o-mini")
    ] == [("0.0000002", "0.0000008", "ADMIN")]
    assert [
        (row["inputTokenCost"], row["managedBy"])
        for row in await versions(api, "mistral", "gpt-oss-120b")
    ] == [("0.000001", "ENVIRONMENT")]
    assert [change["action"] for change in await history(api, "openai", "gpt-4o-mini")] == [
        "UPSERT"
    ]


async def test_an_apply_that_fails_part_way_writes_nothing(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = await pricings(api)
    providers_before = (await api.data("{ providers { id } }"))["providers"]
    calls = 0

    async def failing_after_the_writes(connection: Any) -> None:
        nonlocal calls
        calls += 1
        raise RuntimeError("the revision counter is unavailable")

    # The last step of an apply, after the versions, providers and audit rows are written.
    monkeypatch.setattr(catalog_service, "bump_pricing_revision", failing_after_the_writes)

    error = await api.error(IMPORT, {"catalog": CATALOG_TEXT, "dryRun": False})

    assert calls == 1
    assert error["extensions"]["code"] == "INTERNAL"
    assert (await api.data("{ providers { id } }"))["providers"] == providers_before
    monkeypatch.undo()
    assert await pricings(api) == before
    for model in ("gpt-4o", "gpt-4o-mini", "o3-mini"):
        assert await versions(api, "openai", model) == []
        assert await history(api, "openai", model) == []
    # Once the writer works again, the same import goes through.
    report = await run_import(api, dry_run=False)
    assert [entry["name"] for entry in report["created"]] == CREATED


@pytest.mark.parametrize("scope", ["READ", "INGEST"])
async def test_importing_needs_the_admin_scope(api: Api, scope: str) -> None:
    secret = await create_key(api, [scope])

    for dry_run in (True, False):
        error = await api.error(IMPORT, {"catalog": CATALOG_TEXT, "dryRun": dry_run}, key=secret)
        assert error["extensions"]["code"] == "FORBIDDEN"
    assert await versions(api, "openai", "gpt-4o") == []


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
    assert await versions(api, "openai", "gpt-4o") == []


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

    # With no startup rows, the HuggingFace entry would create a mistral price.
    assert [entry.name for entry in report.created] == [
        *CREATED[:-2],
        "gpt-oss-120b",
        *CREATED[-2:],
    ]
    assert report.new_providers == ["azure", "bedrock"]
    assert report.updated == report.unchanged == []
    check_skipped(
        [{"name": entry.name, "reason": entry.reason} for entry in report.skipped],
        {name: words for name, words in SKIPPED.items() if name != "gpt-oss-120b"},
    )
    nano = next(entry for entry in report.skipped if entry.name == "gpt-4.1-nano")
    assert nano.reason == "input_cost_per_token has more than 12 decimal places: 1.000001E-7"
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

    assert summary(result) == {"created": 13, "updated": 0, "unchanged": 0, "skipped": 12}
    assert "dry run" in result.stdout
    assert "run again with --apply" in result.stdout
    skipped_lines = {" ".join(line.split()) for line in result.stdout.splitlines()}
    # One line per kind of skip (a real catalog has hundreds of entries); --json has each.
    assert "skipped 2 unknown provider" in skipped_lines
    assert "skipped 1 no per-token price (priced per pixel)" in skipped_lines
    assert "skipped 1 no per-token price (priced per second)" in skipped_lines
    assert "skipped 1 no per-token price (priced per character)" in skipped_lines
    assert "skipped 2 not an object" in skipped_lines
    assert "skipped 2 a price is not valid" in skipped_lines
    assert "skipped 1 managed by an admin or the environment" in skipped_lines
    assert "skipped 1 a price needs more than 12 decimal places" in skipped_lines
    assert "skipped 1 the same model appears twice" in skipped_lines
    # By name too: what it would create, leave and skip, and the providers it registers.
    assert "  azure gpt-4o 0.0000025 0.00001" in [" " + line for line in skipped_lines] or any(
        line.startswith("azure gpt-4o") for line in skipped_lines
    )
    assert "whisper-1: no per-token price: priced per second" in skipped_lines
    assert "would register 2 providers: azure, bedrock" in skipped_lines
    assert {row[1] for row in listed(cli)} == {"default", "gpt-oss-120b"}


def test_the_cli_writes_with_apply_and_a_second_apply_is_unchanged(cli: Cli) -> None:
    applied = cli("pricing", "import", str(CATALOG_PATH), "--apply")
    again = cli("pricing", "import", str(CATALOG_PATH), "--apply")

    assert summary(applied) == {"created": 13, "updated": 0, "unchanged": 0, "skipped": 12}
    assert "run again with --apply" not in applied.stdout
    assert summary(again) == {"created": 0, "updated": 0, "unchanged": 13, "skipped": 12}
    rows = listed(cli)
    assert ("openai", "gpt-4o", "0.0000025", "0.00001", "CATALOG") in rows
    assert ("anthropic", "claude-3-5-sonnet-20241022", "0.000003", "0.000015", "CATALOG") in rows
    assert ("mistral", "gpt-oss-120b", "0.000001", "0.000003", "ENVIRONMENT") in rows
    assert len(rows) == 15  # 13 imported and the 2 startup rows


def test_the_cli_apply_starts_the_prices_at_effective_from(cli: Cli, tmp_path: Path) -> None:
    result = cli(
        "pricing", "import", str(CATALOG_PATH), "--apply", "--effective-from", "2025-03-01"
    )

    async def starts_of_gpt_4o() -> set[datetime]:
        async with TortoiseContext() as context:
            await context.init(config=tortoise_config(f"sqlite://{tmp_path / 'catalog.sqlite3'}"))
            return {row.effective_from for row in await Pricing.filter(model_key="gpt-4o")}

    assert summary(result)["created"] == 13
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
        ("groq", "llama-3.1-8b-instant", "0.00000005"),
        ("xai", "grok-2", "0.000002"),
        ("google", "gemini/gemini-1.5-pro", "0.00000125"),
    ):
        resolved = (await api.data(query, {"provider": provider, "model": model}))["resolvePricing"]
        assert resolved["inputTokenCost"] == price, (provider, model)
        assert resolved["source"] in {"EXACT", "SHORT_NAME"}


COMPRESSED_IMPORT = """
mutation ($catalog: String, $compressed: String) {
  importPricingCatalog(catalog: $catalog, catalogGzipBase64: $compressed) {
    created { name }
  }
}"""


async def test_a_compressed_catalog_imports_like_its_text(api: Api) -> None:
    compressed = base64.b64encode(gzip.compress(CATALOG_TEXT.encode())).decode()

    report = (await api.data(COMPRESSED_IMPORT, {"compressed": compressed}))["importPricingCatalog"]

    assert [entry["name"] for entry in report["created"]] == CREATED


@pytest.mark.parametrize(
    ("variables", "field", "words"),
    [
        ({"catalog": "{}", "compressed": "H4sI"}, "catalog", "not both or neither"),
        ({}, "catalog", "not both or neither"),
        ({"compressed": "not base64!"}, "catalogGzipBase64", "not base64"),
        ({"compressed": "H4sI\u00e9\u8017"}, "catalogGzipBase64", "not base64"),
        ({"compressed": base64.b64encode(b"plain text").decode()}, "catalogGzipBase64", "gzip"),
        (
            {"compressed": base64.b64encode(gzip.compress(b"{}")[:-6]).decode()},
            "catalogGzipBase64",
            "cut short",
        ),
    ],
)
async def test_a_bad_compressed_catalog_is_refused_naming_the_field(
    api: Api, variables: dict[str, str], field: str, words: str
) -> None:
    error = await api.error(COMPRESSED_IMPORT, variables)

    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == field
    assert words in error["message"]


def test_a_compressed_catalog_may_not_expand_without_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(catalog_service, "MAX_CATALOG_BYTES", 1000)
    bomb = base64.b64encode(gzip.compress(b" " * 5000)).decode()

    with pytest.raises(InvalidInputError, match="expands to more than 1000 bytes"):
        catalog_service.read_catalog_upload(text=None, gzip_base64=bomb)


@pytest.mark.parametrize(
    ("price", "words"),
    [
        ("1e-999999999", "more than 12 decimal places"),  # a JSON number, read exactly
        ('"1_000"', "is not a number"),
        ('"\\u0660.\\u0660\\u0660\\u0661"', "is not a number"),
    ],
)
def test_a_catalog_price_parses_as_strictly_as_the_api(price: str, words: str) -> None:
    text = (
        '{"m": {"litellm_provider": "openai", "input_cost_per_token": '
        + price
        + ', "output_cost_per_token": 1e-6}}'
    )

    entry = catalog_service.read_entry("m", parse_catalog(text)["m"])

    assert isinstance(entry, catalog_service.SkippedEntry)
    assert words in entry.reason
    assert "input_cost_per_token" in entry.reason  # the key to look at in the file


def test_an_entry_with_price_ranges_and_service_tier_prices_is_skipped_naming_them() -> None:
    # Which range a `_batches` price belongs to is not said, so nothing is guessed.
    spec = {
        "litellm_provider": "openai",
        "tiered_pricing": [
            {"range": [0, 128000], "input_cost_per_token": 1e-6, "output_cost_per_token": 2e-6},
            {"range": [128000, 1e9], "input_cost_per_token": 2e-6, "output_cost_per_token": 4e-6},
        ],
        "input_cost_per_token_batches": 5e-7,
        "output_cost_per_token_batches": 1e-6,
    }
    entry = catalog_service.read_entry("m", parse_catalog(json.dumps({"m": spec}))["m"])

    assert isinstance(entry, catalog_service.SkippedEntry)
    assert entry.kind == catalog_service.RANGES_AND_SERVICE_TIERS
    assert entry.reason == (
        "priced by `tiered_pricing` ranges and by input_cost_per_token_batches, "
        "output_cost_per_token_batches"
    )
    del spec["input_cost_per_token_batches"], spec["output_cost_per_token_batches"]
    ranged = catalog_service.read_entry("m", parse_catalog(json.dumps({"m": spec}))["m"])
    assert isinstance(ranged, catalog_service.CatalogEntry)  # ranges alone import
