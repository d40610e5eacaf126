"""API keys over GraphQL and the CLI: a secret is shown once, when its key is created.

After that, no response, listing, CLI output or log record (at DEBUG, from every
logger) contains it. A revoked key stops working on the next request. `billgraph
serve` on a fresh embedded development database creates one admin key and prints it.

The CLI commands call asyncio.run themselves, so the CLI tests are synchronous and
run the app, where needed, in an asyncio.run of their own.
"""

import asyncio
import logging
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from tortoise.context import TortoiseContext
from typer.testing import CliRunner, Result

from billgraph.cli import app as cli_app
from billgraph.db import tortoise_config
from billgraph.models import ApiKey, UsageLog
from tests.conftest import Api, Database, create_key, make_settings, running_app

CREATE = """
mutation ($input: CreateApiKeyInput!) {
  createApiKey(input: $input) {
    secret
    apiKey { id name prefix scopes userId createdAt lastUsedAt revokedAt }
  }
}"""
LIST = "{ apiKeys { id name prefix scopes userId createdAt lastUsedAt revokedAt } }"
REVOKE = "mutation ($id: ID!) { revokeApiKey(id: $id) { id prefix revokedAt } }"
READ_SOMETHING = "{ pricings { modelName } }"
SECRET = re.compile(r"bg_[0-9a-f]{12}_[A-Za-z0-9_-]{43}")
DEV_KEY_LINE = "created a development admin key"


async def create(
    api: Api, scopes: list[str], name: str = "dashboard", user_id: str | None = None
) -> dict[str, Any]:
    """Create a key as the break-glass admin; return `createApiKey`."""
    variables = {"input": {"name": name, "scopes": scopes, "userId": user_id}}
    created: dict[str, Any] = (await api.data(CREATE, variables))["createApiKey"]
    return created


async def listed(api: Api) -> dict[str, dict[str, Any]]:
    """Return the keys `apiKeys` lists, by id."""
    return {key["id"]: key for key in (await api.data(LIST))["apiKeys"]}


# --- creation and listing ---------------------------------------------------------------


async def test_creation_returns_a_secret_that_starts_with_the_key_prefix(api: Api) -> None:
    created = await create(api, ["READ", "INGEST"], name="dashboard", user_id="alice")
    other = await create(api, ["READ"])

    secret, key = created["secret"], created["apiKey"]
    assert SECRET.fullmatch(secret), secret
    assert key["prefix"].startswith("bg_")
    assert secret.startswith(key["prefix"] + "_")
    assert (key["name"], key["userId"]) == ("dashboard", "alice")
    assert sorted(key["scopes"]) == ["INGEST", "READ"]
    assert datetime.fromisoformat(key["createdAt"]).utcoffset() is not None
    assert key["lastUsedAt"] is None
    assert key["revokedAt"] is None
    assert other["secret"] != secret
    assert other["apiKey"]["prefix"] != key["prefix"]


async def test_a_new_key_works_with_its_scopes_only(api: Api) -> None:
    secret = (await create(api, ["READ"]))["secret"]

    readable = await api.data(READ_SOMETHING, key=secret)
    forbidden = await api.error(LIST, key=secret)

    assert readable["pricings"]
    assert forbidden["extensions"]["code"] == "FORBIDDEN"


async def test_the_api_key_type_has_no_field_that_could_hold_a_secret(api: Api) -> None:
    query = '{ __type(name: "%s") { fields { name } } }'
    key_fields = {f["name"] for f in (await api.data(query % "ApiKey"))["__type"]["fields"]}
    created_fields = {
        f["name"] for f in (await api.data(query % "CreatedApiKey"))["__type"]["fields"]
    }

    assert "prefix" in key_fields
    secret_like = re.compile(r"secret|hash|sha|digest|token|password", re.IGNORECASE)
    assert [name for name in key_fields if secret_like.search(name)] == []
    assert created_fields == {"apiKey", "secret"}


async def test_the_listing_never_contains_a_secret(api: Api) -> None:
    first = await create(api, ["READ"], user_id="alice")
    second = await create(api, ["ADMIN"], name="ops")

    response = await api.http.post(
        "/graphql", json={"query": LIST}, headers={"Authorization": f"Bearer {second['secret']}"}
    )

    keys = response.json()["data"]["apiKeys"]
    assert [key["prefix"] for key in keys] == [
        second["apiKey"]["prefix"],
        first["apiKey"]["prefix"],
    ]  # newest first
    for created in (first, second):
        random_part = created["secret"].removeprefix(created["apiKey"]["prefix"] + "_")
        assert created["secret"] not in response.text
        assert random_part not in response.text


BAD_CREATIONS: list[tuple[dict[str, Any], str]] = [
    ({"scopes": []}, "scopes"),
    ({"name": ""}, "name"),
    ({"name": "   "}, "name"),
    ({"name": "x" * 101}, "name"),
    ({"userId": " "}, "userId"),
]


async def test_creation_refuses_bad_input_naming_the_field(api: Api) -> None:
    for change, field in BAD_CREATIONS:
        variables = {"input": {"name": "dashboard", "scopes": ["READ"], "userId": None, **change}}

        error = await api.error(CREATE, variables)

        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}, change
        assert field in error["message"], change
    assert await listed(api) == {}


async def test_only_admin_keys_manage_keys(api: Api) -> None:
    victim = await create(api, ["READ"])
    for scopes in (["READ"], ["INGEST"], ["READ", "INGEST"]):
        secret = (await create(api, scopes))["secret"]
        for query, variables in (
            (CREATE, {"input": {"name": "escalated", "scopes": ["ADMIN"]}}),
            (LIST, None),
            (REVOKE, {"id": victim["apiKey"]["id"]}),
        ):
            error = await api.error(query, variables, key=secret)
            assert error["extensions"]["code"] == "FORBIDDEN", (scopes, query)

    keys = await listed(api)
    assert "escalated" not in {key["name"] for key in keys.values()}
    assert keys[victim["apiKey"]["id"]]["revokedAt"] is None


async def test_a_wrong_secret_with_a_real_prefix_is_refused(api: Api) -> None:
    created = await create(api, ["ADMIN"])
    forged = created["apiKey"]["prefix"] + "_" + "A" * 43

    error = await api.error(READ_SOMETHING, key=forged)

    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert error["message"] == "The API key is not valid"


# --- revocation and last use ------------------------------------------------------------


async def test_a_revoked_key_stops_working_at_once_and_stays_revoked(api: Api) -> None:
    revoked = await create(api, ["READ"])
    kept = await create(api, ["READ"])
    key_id = revoked["apiKey"]["id"]
    await api.data(READ_SOMETHING, key=revoked["secret"])

    first = (await api.data(REVOKE, {"id": key_id}))["revokeApiKey"]
    refused = await api.error(READ_SOMETHING, key=revoked["secret"])
    second = (await api.data(REVOKE, {"id": key_id}))["revokeApiKey"]

    assert first["revokedAt"] is not None
    assert refused["extensions"]["code"] == "UNAUTHENTICATED"
    assert refused["message"] == "The API key has been revoked"
    assert second["revokedAt"] == first["revokedAt"]
    assert (await listed(api))[key_id]["revokedAt"] == first["revokedAt"]
    assert await api.data(READ_SOMETHING, key=kept["secret"])


async def test_revoking_an_unknown_or_malformed_id_is_refused(api: Api) -> None:
    for key_id, code in (
        ("999999", "NOT_FOUND"),
        ("0", "NOT_FOUND"),
        ("abc", "BAD_USER_INPUT"),
        ("-1", "BAD_USER_INPUT"),
        ("1.5", "BAD_USER_INPUT"),
    ):
        error = await api.error(REVOKE, {"id": key_id})

        assert error["extensions"] == {"code": code, "field": "id"}, key_id


async def test_revoking_an_id_with_odd_digits_is_refused_as_input(api: Api) -> None:
    for key_id in ("²", "99999999999999999999"):
        error = await api.error(REVOKE, {"id": key_id})

        assert error["extensions"]["code"] in {"NOT_FOUND", "BAD_USER_INPUT"}, (key_id, error)


async def test_last_used_at_is_set_by_use_and_refreshed_at_most_once_a_minute(api: Api) -> None:
    created = await create(api, ["READ"])
    key_id, secret = created["apiKey"]["id"], created["secret"]

    await api.data(READ_SOMETHING, key=secret)
    first_use = (await listed(api))[key_id]["lastUsedAt"]
    await api.data(READ_SOMETHING, key=secret)
    second_use = (await listed(api))[key_id]["lastUsedAt"]
    long_ago = datetime.now(UTC) - timedelta(minutes=5)
    async with TortoiseContext() as context:
        await context.init(config=tortoise_config(api.database.url))
        await ApiKey.filter(id=int(key_id)).update(last_used_at=long_ago)
    await api.data(READ_SOMETHING, key=secret)
    after_a_while = (await listed(api))[key_id]["lastUsedAt"]

    assert first_use is not None
    assert datetime.fromisoformat(first_use) >= datetime.fromisoformat(
        created["apiKey"]["createdAt"]
    )
    assert second_use == first_use
    assert datetime.fromisoformat(after_a_while) > long_ago + timedelta(minutes=4)


# --- secrets in logs --------------------------------------------------------------------


class Recorder(logging.Handler):
    """Keeps every record it is given, formatted with its traceback."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        self.lines += [self.format(record), repr(record.msg), repr(record.args)]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@pytest.fixture
def every_log_record(caplog: pytest.LogCaptureFixture) -> Iterator[Recorder]:
    """Record everything logged at DEBUG and above by every logger, isolated ones too."""
    recorder = Recorder()
    caplog.set_level(logging.DEBUG)  # the root; caplog restores every level it sets
    attached: list[logging.Logger] = [logging.root]
    for name, logger in list(logging.root.manager.loggerDict.items()):
        if isinstance(logger, logging.Logger):
            caplog.set_level(logging.DEBUG, logger=name)
            if not logger.propagate:
                attached.append(logger)
    for logger in attached:
        logger.addHandler(recorder)
    yield recorder
    for logger in attached:
        logger.removeHandler(recorder)


async def test_a_secret_appears_only_in_its_creation_response(
    api: Api, every_log_record: Recorder
) -> None:
    admin = {"Authorization": "Bearer test-admin-key-0123456789"}

    async def post(query: str, variables: Any = None, headers: Any = None) -> str:
        response = await api.http.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers or admin
        )
        return response.text

    creation = await post(CREATE, {"input": {"name": "ingest", "scopes": ["INGEST", "READ"]}})
    created = (await api.http.post("/graphql", json={"query": LIST}, headers=admin)).json()
    key_id = created["data"]["apiKeys"][0]["id"]
    secret = SECRET.search(creation)
    assert secret is not None, creation
    as_key = {"Authorization": f"Bearer {secret.group()}"}
    later = [
        await post(READ_SOMETHING, headers=as_key),
        await post(
            "mutation ($input: RecordUsageInput!) { recordUsage(input: $input) { id } }",
            {
                "input": {
                    "provider": "OPENAI",
                    "model": "gpt-4o",
                    "tokensInput": 1,
                    "tokensOutput": 1,
                }
            },
            headers=as_key,
        ),
        await post(LIST),
        await post(REVOKE, {"id": key_id}),
        await post(READ_SOMETHING, headers=as_key),
    ]

    assert '"revokeApiKey"' in later[3]
    assert "UNAUTHENTICATED" in later[4]
    assert [text for text in later if secret.group() in text] == []
    logged = every_log_record.text
    assert 'INSERT INTO "api_keys"' in logged  # DEBUG logging did capture the key's SQL
    assert secret.group() not in logged
    assert secret.group()[16:] not in logged  # nor its random part


# --- the CLI ----------------------------------------------------------------------------

Cli = Callable[..., Result]
SETTING_VARIABLES = (
    "ADMIN_API_KEY",
    "ENVIRONMENT",
    "HOST",
    "PORT",
    "HUGGINGFACE_INPUT_TOKEN_COST",
    "HUGGINGFACE_OUTPUT_TOKEN_COST",
)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite://{tmp_path / 'keys.sqlite3'}"


@pytest.fixture
def cli(tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """Return a runner of `billgraph ARGS...` on a scratch SQLite database."""
    monkeypatch.chdir(tmp_path)  # no developer's .env file
    for variable in SETTING_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    runner = CliRunner()
    base: dict[str, str | None] = dict.fromkeys(SETTING_VARIABLES)  # None unsets
    base["DATABASE_URL"] = sqlite_url

    def invoke(*args: str, **environment: str) -> Result:
        return runner.invoke(cli_app, ["--create-database", *args], env={**base, **environment})

    return invoke


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Make `billgraph serve` record that it would serve instead of starting a server."""
    calls: list[object] = []
    monkeypatch.setattr("billgraph.serving.uvicorn.run", lambda *args, **kwargs: calls.append(args))
    return calls


def output_of(result: Result) -> str:
    assert result.exit_code == 0, (result.output, result.exception)
    return result.stdout


def secret_in(output: str) -> str:
    match = SECRET.search(output)
    assert match is not None, output
    return match.group()


def key_rows(list_output: str) -> list[list[str]]:
    """Return the rows of `keys list` (summary and header dropped), split into columns."""
    lines = list_output.splitlines()
    assert re.fullmatch(r"\d+ keys: \d+ active, \d+ revoked", lines[0])
    assert lines[1].split()[:2] == ["ID", "PREFIX"]
    return [line.split() for line in lines[2:]]


def ask_app(database_url: str, query: str, secret: str) -> dict[str, Any]:
    """Run the app on `database_url` (no break-glass key) and send it one query."""

    async def send() -> dict[str, Any]:
        settings = make_settings(Database("sqlite", database_url), admin_api_key=None)
        async with running_app(settings) as client:
            api = Api(client, Database("sqlite", database_url))
            return await api.post(query, key=secret)

    return asyncio.run(send())


def test_cli_create_prints_the_secret_once(cli: Cli) -> None:
    output = output_of(cli("keys", "create", "--name", "x", "--scope", "read", "--user", "alice"))

    secret = secret_in(output)
    assert output.count(secret) == 1
    assert "shown once" in output
    (row,) = key_rows(output_of(cli("keys", "list")))
    key_id, prefix, scopes, status, *name_and_user = row
    assert secret.startswith(prefix + "_")
    assert (key_id, scopes, status) == ("1", "READ", "active")
    assert " ".join(name_and_user) == "x, user alice"


def test_cli_list_shows_prefixes_but_never_secrets(cli: Cli) -> None:
    secrets = [
        secret_in(output_of(cli("keys", "create", "--name", name, "--scope", "admin")))
        for name in ("first", "second")
    ]

    listing = output_of(cli("keys", "list"))

    assert [row[1] for row in key_rows(listing)] == [s[:15] for s in reversed(secrets)]
    for secret in secrets:
        assert secret not in listing
        assert secret[16:] not in listing


def test_cli_revoke_revokes_and_an_unknown_id_exits_1(cli: Cli) -> None:
    secret = secret_in(output_of(cli("keys", "create", "--name", "x", "--scope", "ingest")))

    revoked = output_of(cli("keys", "revoke", "1"))
    unknown = cli("keys", "revoke", "999")

    assert revoked.strip() == f"revoked key 1 {secret[:15]} (x)"
    assert key_rows(output_of(cli("keys", "list")))[0][3] == "revoked"
    assert unknown.exit_code == 1
    assert "no API key with id 999" in unknown.stderr


def test_a_cli_key_works_in_the_app_until_the_cli_revokes_it(cli: Cli, sqlite_url: str) -> None:
    secret = secret_in(output_of(cli("keys", "create", "--name", "x", "--scope", "read")))

    before = ask_app(sqlite_url, READ_SOMETHING, secret)
    output_of(cli("keys", "revoke", "1"))
    after = ask_app(sqlite_url, READ_SOMETHING, secret)

    assert "errors" not in before, before
    assert after["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_the_cli_never_logs_a_secret(cli: Cli, every_log_record: Recorder) -> None:
    created = output_of(cli("keys", "create", "--name", "x", "--scope", "admin"))
    later = [output_of(cli("keys", "list")), output_of(cli("keys", "revoke", "1"))]

    secret = secret_in(created)
    assert [text for text in later if secret in text] == []
    logged = every_log_record.text
    assert 'INSERT INTO "api_keys"' in logged  # DEBUG logging did capture the key's SQL
    assert secret not in logged
    assert secret[16:] not in logged  # nor its random part


def test_first_serve_prints_a_development_admin_key_that_works(
    cli: Cli, served: list[object], sqlite_url: str
) -> None:
    first = output_of(cli("serve"))
    second = output_of(cli("serve"))

    assert DEV_KEY_LINE in first
    secret = secret_in(first.split(DEV_KEY_LINE, 1)[1])
    assert DEV_KEY_LINE not in second
    assert SECRET.search(second) is None
    assert len(served) == 2
    keys = ask_app(sqlite_url, "{ apiKeys { name scopes revokedAt } }", secret)
    assert keys == {
        "data": {"apiKeys": [{"name": "development admin", "scopes": ["ADMIN"], "revokedAt": None}]}
    }
    made = ask_app(
        sqlite_url,
        'mutation { createApiKey(input: {name: "by dev key", scopes: [READ]}) { secret } }',
        secret,
    )
    assert "errors" not in made, made


def test_serve_creates_no_key_in_production(cli: Cli, served: list[object]) -> None:
    output = output_of(cli("serve", ENVIRONMENT="production"))

    assert DEV_KEY_LINE not in output
    assert SECRET.search(output) is None
    assert len(served) == 1
    assert key_rows(output_of(cli("keys", "list"))) == []


def test_serve_creates_no_key_when_keys_exist(cli: Cli, served: list[object]) -> None:
    output_of(cli("keys", "create", "--name", "x", "--scope", "read"))

    output = output_of(cli("serve"))

    assert DEV_KEY_LINE not in output
    assert len(key_rows(output_of(cli("keys", "list")))) == 1
    assert len(served) == 1


RECORD_ONE = """
mutation ($input: RecordUsageInput!) { recordUsage(input: $input) { requestId } }"""


async def test_a_key_revoked_by_another_worker_records_nothing_from_that_moment(
    api: Api,
) -> None:
    secret = await create_key(api, ["INGEST"])
    usage = {"provider": "OPENAI", "model": "gpt-4o", "tokensInput": 10, "tokensOutput": 1}
    # This worker now remembers the key: its next recordings run no key query.
    await api.data(RECORD_ONE, {"input": {**usage, "requestId": "before-revocation"}}, key=secret)
    await api.data(RECORD_ONE, {"input": {**usage, "requestId": "still-known"}}, key=secret)
    # Another worker revokes it: straight in the database, this worker is not told.
    prefix = "bg_" + secret.removeprefix("bg_").partition("_")[0]
    assert await ApiKey.filter(prefix=prefix).update(revoked_at=datetime.now(UTC)) == 1

    error = await api.error(
        RECORD_ONE, {"input": {**usage, "requestId": "after-revocation"}}, key=secret
    )
    bulk = await api.http.post(
        "/v1/usage",
        json=[{**usage, "requestId": "bulk-after-revocation"}],
        headers={"Authorization": f"Bearer {secret}"},
    )

    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert bulk.status_code == 401, bulk.text
    stored = {log.request_id for log in await UsageLog.all()}
    assert stored == {"before-revocation", "still-known"}
