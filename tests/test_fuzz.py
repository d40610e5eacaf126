"""Fuzz the GraphQL endpoint of a real server with schemathesis, on SQLite and PostgreSQL.

A `billgraph serve` subprocess runs on a free 127.0.0.1 port against a scratch database
(a tmp SQLite file; a PostgreSQL database created for the module and dropped after it).
A separate process keeps the server's event loop and Tortoise context away from
pytest-asyncio's, and its log holds the traceback of anything that goes wrong.

schemathesis loads the schema by introspection and generates one query or mutation per
example, arguments inline. Every answer must be a GraphQL response that is not a 5xx,
and every error in it must carry an `extensions.code` the API documents:
BAD_USER_INPUT, UNAUTHENTICATED, FORBIDDEN, NOT_FOUND or CONFLICT. INTERNAL means a
resolver raised something unexpected, which is a bug. Failures are collected, not
raised, so one run reports all of them, grouped, with the query that caused each and
the server's tracebacks.

Three families of requests, one test each, per database:

- as the ADMIN_API_KEY break-glass admin: valid operations (positive mode) and
  schema-violating ones (negative mode);
- with a READ key bound to the user "alice" (created over HTTP by the admin), so the
  per-user narrowing runs; no answer may show another user's usage;
- documents cut short at a random point, so syntax errors get an answer too.

Half of the time some arguments take values from schemathesis dictionaries instead of
hypothesis' arbitrary strings: known model names, user ids and request ids, so the
pricing chain, idempotency and narrowing meet real rows; valid page sizes and
cursor-shaped values, so paging gets past its first check; hostile strings (NUL, 256
characters). The custom scalars get strategies weighted towards edge values (NaN, huge
exponents, naive datetimes, the first and last representable day with +14:00/-12:30).

Generation is derandomized, so CI sends the same requests on every run. Each test
prints how many requests it sent (`pytest -s` shows it). BILLGRAPH_FUZZ_SCALE multiplies
the number of examples for a longer local run (default 1: about 20 s per database).
"""

import base64
import json
import os
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import asyncpg
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import Case
from schemathesis.config import SchemathesisConfig
from schemathesis.core.errors import InvalidSchema
from schemathesis.core.result import Err, Result
from schemathesis.generation import GenerationMode
from schemathesis.graphql import nodes
from schemathesis.schemas import APIOperation
from schemathesis.specs.graphql.schemas import GraphQLSchema

from billgraph.migrate import asyncpg_dsn
from tests.conftest import ADMIN_KEY, DEFAULT_SERVER_URL, scratch_postgres_database
from tests.servers import free_port

ALLOWED_CODES = frozenset(
    {"BAD_USER_INPUT", "UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND", "CONFLICT"}
)
BOUND_USER = "alice"
OTHER_USER = "bob"

# Requests per database and family, shared out evenly between the operations, so the run
# stays about 20 s per database (15-20 ms a request, generation included) as the schema
# grows. BILLGRAPH_FUZZ_SCALE multiplies them.
SCALE = float(os.environ.get("BILLGRAPH_FUZZ_SCALE", "1"))
ADMIN_POSITIVE_REQUESTS = round(600 * SCALE)
ADMIN_NEGATIVE_REQUESTS = round(120 * SCALE)
READ_KEY_REQUESTS = round(300 * SCALE)
TRUNCATED_REQUESTS = round(120 * SCALE)
MIN_EXAMPLES_PER_OPERATION = 5

SERVER_START_TIMEOUT = 30.0
REQUEST_TIMEOUT = 10.0

# --- What schemathesis generates -------------------------------------------------------


def weighted(*choices: tuple[int, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    """Draw from one of the strategies, picked in proportion to its weight."""
    picks = [strategy for weight, strategy in choices for _ in range(weight)]
    return st.sampled_from(picks).flatmap(lambda strategy: strategy)


# Custom scalars: hypothesis-graphql needs a strategy for each input scalar. Edge values
# weigh the most; well-formed values still let the resolvers run.
_DECIMAL_EDGES = (
    "",
    " ",
    "0",
    "-0",
    "0.000000000001",
    "0.0000000000001",
    "1e-12",
    "1E+30",
    "1e400",
    "1e999999999",
    "NaN",
    "-Infinity",
    "sNaN",
    "1_000",
    " 1.5 ",
    "\u0661\u0662\u0663",  # Arabic-Indic digits: Decimal() accepts them
    "99999999999999999999999999.999999999999",
    "0x10",
)
DECIMALS = weighted(
    (3, st.sampled_from(_DECIMAL_EDGES).map(nodes.String)),
    (3, st.decimals(places=12, min_value=0, max_value=1000).map(str).map(nodes.String)),
    (1, st.decimals(allow_nan=False, allow_infinity=False).map(str).map(nodes.String)),
    (1, st.text(max_size=20).map(nodes.String)),
    (1, st.integers().map(nodes.Int)),
    (1, st.floats(allow_nan=False, allow_infinity=False).map(nodes.Float)),
)

_OFFSETS = st.sampled_from(
    [UTC, timezone(timedelta(hours=14)), timezone(-timedelta(hours=12, minutes=30))]
)
_DATETIME_EDGES = (
    "",
    "now",
    "2024-02-30T00:00:00Z",
    "2024-01-01",
    "2024-01-01T25:00:00Z",
    "2024-01-01T00:00:00+24:00",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59.999999-14:00",
    "9999-12-31T23:59:59Z",
)
# The first and the last day datetime can represent, before any offset is applied.
_FIRST_DAY_END = datetime(1, 1, 1, 23, 59, 59)  # noqa: DTZ001  (a bound, the offset comes later)
_LAST_DAY_START = datetime(9999, 12, 31)  # noqa: DTZ001  (a bound, the offset comes later)
DATETIMES = weighted(
    (3, st.sampled_from(_DATETIME_EDGES)),
    (
        2,
        st.one_of(
            st.datetimes(max_value=_FIRST_DAY_END, timezones=_OFFSETS),
            st.datetimes(min_value=_LAST_DAY_START, timezones=_OFFSETS),
        ).map(datetime.isoformat),
    ),
    (2, st.datetimes(timezones=_OFFSETS).map(datetime.isoformat)),
    (1, st.datetimes().map(datetime.isoformat)),  # naive: no offset
    (1, st.text(max_size=30)),
).map(nodes.String)

# Providers: the built-in ones as enum literals (the old form) and as strings, unknown
# slugs, and text that is not a provider id.
_BUILTIN_PROVIDERS = ["OPENAI", "HUGGINGFACE", "MISTRAL", "OTHER"]
PROVIDERS = weighted(
    (2, st.sampled_from(_BUILTIN_PROVIDERS).map(nodes.Enum)),
    (
        2,
        st.sampled_from([*(name.lower() for name in _BUILTIN_PROVIDERS), "fireworks_ai"]).map(
            nodes.String
        ),
    ),
    (1, st.text(max_size=70).map(nodes.String)),
)

schemathesis.graphql.scalar("Decimal", DECIMALS)
schemathesis.graphql.scalar("DateTime", DATETIMES)
schemathesis.graphql.scalar("Provider", PROVIDERS)


def _cursor(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode()


# Pagination cursors are opaque base64; these have the shape the API hands out
# ("usage:<occurredAt>|<log id>", "audit:<change id>") with extreme parts.
_CURSORS = [
    _cursor("usage:2024-01-01T00:00:00+00:00|1"),
    _cursor(f"usage:2024-01-01T00:00:00+00:00|{2**63}"),
    _cursor("usage:2024-01-01T00:00:00+00:00|-1"),
    _cursor("usage:0001-01-01T00:00:00+14:00|1"),
    _cursor("usage:9999-12-31T23:59:59-12:30|1"),
    _cursor("audit:1"),
    _cursor(f"audit:{10**30}"),
]
# Strings every text argument should survive: blank, NUL (PostgreSQL text refuses it),
# longer than the 255-character names, astral plane, SQL.
_HOSTILE = ["", "   ", "\x00", "nul\x00byte", "x" * 256, "\U0001f642", "'; DROP TABLE api_keys; --"]
_MODELS = ["gpt-4o", " GPT-4o ", "openai/gpt-oss-120b:groq", "gpt-oss-120b", "default", *_HOSTILE]
_USERS = [BOUND_USER, OTHER_USER, *_HOSTILE]
# Known values for some arguments half of the time, so requests reach past the first
# check: prices resolve through the chain, idempotency and narrowing meet real rows.
CONFIG = SchemathesisConfig.from_dict(
    {
        "dictionaries": {
            "models": {"values": _MODELS},
            "users": {"values": _USERS},
            "request_ids": {"values": ["fuzz-request-1", "fuzz-request-2", *_HOSTILE]},
            "names": {"values": ["fuzz key", *_HOSTILE]},
            "page_sizes": {"values": [1, 2, 500]},
            "cursors": {"values": _CURSORS},
        },
        "parameters": {
            f"*.*.{argument}": {"dictionary": dictionary, "probability": 0.5}
            for argument, dictionary in (
                ("model", "models"),
                ("modelName", "models"),
                ("input.model", "models"),
                ("input.modelName", "models"),
                ("filter.model", "models"),
                ("input.userId", "users"),
                ("filter.userId", "users"),
                ("input.requestId", "request_ids"),
                ("input.name", "names"),
                ("first", "page_sizes"),
                ("after", "cursors"),
            )
        },
    }
)


def fuzz_settings(max_examples: int) -> settings:
    """Return hypothesis settings: reproducible, no example database, no shrinking."""
    return settings(
        max_examples=max_examples,
        derandomize=True,
        database=None,
        deadline=None,
        # Failures are collected, never raised, so there is nothing to shrink.
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.filter_too_much,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
        print_blob=False,
    )


# --- The server ------------------------------------------------------------------------


@dataclass
class Server:
    """A running `billgraph serve` process and what was sent to it."""

    dialect: str
    base_url: str
    log_path: Path
    process: subprocess.Popen[bytes]
    requests_sent: int = 0

    @property
    def graphql_url(self) -> str:
        return f"{self.base_url}/graphql"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def _wait_until_healthy(server: Server) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"billgraph serve exited with {server.process.returncode}:\n{server.log()}")
        try:
            if requests.get(f"{server.base_url}/healthz", timeout=1).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    pytest.fail(
        f"billgraph serve did not answer /healthz in {SERVER_START_TIMEOUT} s:\n{server.log()}"
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
async def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[str]:
    """An empty scratch database; the server migrates it when it starts."""
    if request.param == "sqlite":
        yield f"sqlite://{tmp_path_factory.mktemp('fuzz') / 'billgraph.sqlite3'}"
        return
    server_url = os.environ.get("TEST_DATABASE_URL", DEFAULT_SERVER_URL)
    try:
        connection = await asyncpg.connect(asyncpg_dsn(server_url), timeout=3)
    except (OSError, asyncpg.PostgresError):
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required under CI=true but {server_url} is unreachable")
        pytest.skip(f"PostgreSQL not reachable at {server_url}")
    await connection.close()
    async with scratch_postgres_database() as url:
        yield url


@pytest.fixture(scope="module")
def server(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`billgraph serve` on a free port, in development mode so introspection works."""
    workdir = tmp_path_factory.mktemp("server")  # no stray .env is read from here
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "ADMIN_API_KEY": ADMIN_KEY,
        "ENVIRONMENT": "development",
        "HOST": "127.0.0.1",
        "PYTHONUNBUFFERED": "1",
    }
    log_path = workdir / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603  (our interpreter and module, our arguments)
            [sys.executable, "-m", "billgraph.cli", "serve", "--port", str(port)],
            cwd=workdir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    dialect = "sqlite" if database_url.startswith("sqlite") else "postgres"
    running = Server(dialect, f"http://127.0.0.1:{port}", log_path, process)
    started = time.monotonic()
    try:
        _wait_until_healthy(running)
        yield running
    finally:
        _stop(process)
        print(
            f"\n[{dialect}] {running.requests_sent} fuzz requests in total, "
            f"{time.monotonic() - started:.1f} s with the server up (log: {log_path})"
        )


@pytest.fixture(scope="module")
def schema(server: Server) -> GraphQLSchema:
    return schemathesis.graphql.from_url(
        server.graphql_url, headers=_auth(ADMIN_KEY), config=CONFIG, timeout=REQUEST_TIMEOUT
    )


def _auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def graphql_data(
    server: Server, query: str, variables: dict[str, Any], *, key: str = ADMIN_KEY
) -> dict[str, Any]:
    """Send one request outside the fuzzing; return `data`, failing on any error."""
    response = requests.post(
        server.graphql_url,
        json={"query": query, "variables": variables},
        headers=_auth(key),
        timeout=REQUEST_TIMEOUT,
    )
    body: dict[str, Any] = response.json()
    assert response.status_code == 200, response.text
    assert "errors" not in body, body["errors"]
    data: dict[str, Any] = body["data"]
    return data


# --- Judging the answers ---------------------------------------------------------------


def problems_in(status_code: int, content: bytes) -> tuple[list[str], Any]:
    """Return what is wrong with one answer (empty when nothing is), and its parsed body."""
    if status_code >= 500:
        return [f"HTTP {status_code}"], None
    try:
        body = json.loads(content)
    except ValueError:
        return [f"HTTP {status_code} with a body that is not JSON"], None
    if not isinstance(body, dict) or not ({"data", "errors"} & body.keys()):
        return [f"HTTP {status_code} with a body that is not a GraphQL response"], body
    if not isinstance(body.get("errors") or [], list):
        return ["`errors` is not a list"], body
    problems = []
    for code in codes_in(body):
        if code == "INTERNAL":
            problems.append("extensions.code INTERNAL")
        elif code is None:
            problems.append("an error without extensions.code")
        elif code not in ALLOWED_CODES:
            problems.append(f"extensions.code {code!r} is not a documented code")
    return list(dict.fromkeys(problems)), body


INGEST_CODES = ALLOWED_CODES | {"UNSUPPORTED_MEDIA_TYPE"}


def ingest_problems_in(status_code: int, content: bytes) -> tuple[list[str], Any]:
    """Return what is wrong with one answer of POST /v1/usage, and its parsed body."""
    if status_code >= 500:
        return [f"HTTP {status_code}"], None
    try:
        body = json.loads(content)
    except ValueError:
        return [f"HTTP {status_code} with a body that is not JSON"], None
    if status_code == 200:
        counts = isinstance(body, dict) and {"created", "replayed"} == body.keys()
        return ([] if counts else ["HTTP 200 without created and replayed"]), body
    codes = codes_in(body)
    if not codes:
        return [f"HTTP {status_code} without errors"], body
    return [f"extensions.code {code!r}" for code in codes if code not in INGEST_CODES], body


def codes_in(body: Any) -> list[Any]:
    """Return the `extensions.code` of each error in a response (None where it has none)."""
    errors = body.get("errors") if isinstance(body, dict) else None
    codes = []
    for error in errors if isinstance(errors, list) else []:
        extensions = error.get("extensions") if isinstance(error, dict) else None
        codes.append(extensions.get("code") if isinstance(extensions, dict) else None)
    return codes


def user_ids_in(value: Any) -> Iterator[Any]:
    """Yield every `userId` value anywhere in a response's data."""
    if isinstance(value, dict):
        for name, item in value.items():
            if name == "userId":
                yield item
            else:
                yield from user_ids_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from user_ids_in(item)


def only_bound_user(body: Any) -> list[str]:
    """A key bound to BOUND_USER must never see another user's (or nobody's) usage."""
    data = body.get("data") if isinstance(body, dict) else None
    seen = sorted({str(user) for user in user_ids_in(data) if user != BOUND_USER})
    return [f"a READ key bound to {BOUND_USER!r} saw userId {seen}"] if seen else []


# An operation and a generated case of either schema: GraphQL, or the OpenAPI of /v1/usage.
Operation = APIOperation[Any, Any, Any, Any]
AnyCase = Case[Operation]


def loaded(result: Result[Operation, InvalidSchema]) -> Operation:
    """Return the operation schemathesis loaded, or raise why it could not."""
    if isinstance(result, Err):
        raise result.err()
    return result.ok()


@dataclass
class Failure:
    family: str
    operation: str
    request_id: str
    query: str
    status_code: int | None
    problem: str
    answer: str


@dataclass
class Fuzzer:
    """Sends generated cases to one server as one caller; collects failures."""

    server: Server
    key: str
    family: str
    extra_check: Callable[[Any], list[str]] | None = None
    judge: Callable[[int, bytes], tuple[list[str], Any]] = field(default=problems_in)
    session: requests.Session = field(default_factory=requests.Session)
    failures: list[Failure] = field(default_factory=list)
    codes: Counter[str] = field(default_factory=Counter)
    sent: int = 0
    server_down: bool = False

    def fuzz(self, strategy: st.SearchStrategy[AnyCase], max_examples: int) -> None:
        @fuzz_settings(max_examples)
        @given(case=strategy)
        def send(case: AnyCase) -> None:
            self.send(case)

        send()

    def send(self, case: AnyCase) -> None:
        if self.server_down:
            return
        self.sent += 1
        self.server.requests_sent += 1
        request_id = f"fuzz-{self.server.dialect}-{self.family}-{self.sent}"
        headers = {**_auth(self.key), "X-Request-ID": request_id}
        try:
            response = case.call(session=self.session, headers=headers, timeout=REQUEST_TIMEOUT)
        except requests.RequestException as error:
            self.server_down = True  # every later request would fail the same way
            self._record(case, request_id, None, f"no answer: {error!r}", "")
            return
        problems, body = self.judge(response.status_code, response.content)
        if not problems and self.extra_check is not None:
            problems = self.extra_check(body)
        self.codes.update(str(code) for code in codes_in(body))
        answer = response.content.decode(errors="replace")
        for problem in problems:
            self._record(case, request_id, response.status_code, problem, answer)

    def _record(
        self, case: AnyCase, request_id: str, status_code: int | None, problem: str, answer: str
    ) -> None:
        self.failures.append(
            Failure(
                self.family,
                case.operation.label,
                request_id,
                str(case.body),
                status_code,
                problem,
                answer[:600],
            )
        )

    def report(self, started: float) -> None:
        codes = ", ".join(f"{code} {count}" for code, count in self.codes.most_common())
        print(
            f"\n[{self.server.dialect}] {self.family}: {self.sent} requests in "
            f"{time.monotonic() - started:.1f} s; error codes seen: {codes or 'none'}"
        )

    def assert_no_failures(self) -> None:
        __tracebackhide__ = True
        if self.failures:
            pytest.fail(describe_failures(self.failures, self.sent, self.server), pytrace=False)


def operations(
    schema: GraphQLSchema, requests_per_database: int
) -> Iterator[tuple[Operation, int]]:
    """Yield every operation with its share of the requests."""
    every = [loaded(result) for result in schema.get_all_operations()]
    share = max(MIN_EXAMPLES_PER_OPERATION, requests_per_database // len(every))
    for operation in every:
        yield operation, share


def describe_failures(failures: list[Failure], sent: int, server: Server) -> str:
    """Group failures by problem and server exception; show a query and traceback of each."""
    errors = server_errors(server.log())
    by_request: dict[str, list[str]] = {}
    for record in errors:
        if match := _REQUEST_ID_IN_LOG.search(record[0]):
            by_request.setdefault(match.group(1), record)
    groups: dict[str, list[Failure]] = {}
    for failure in failures:
        logged = by_request.get(failure.request_id)
        cause = f"{failure.problem}: {logged[-1].strip()[:160]}" if logged else failure.problem
        groups.setdefault(cause, []).append(failure)
    lines = [
        f"[{server.dialect}] {len(failures)} failures in {sent} requests, "
        f"{len(groups)} distinct problems:"
    ]
    for cause, members in groups.items():
        operations_hit = sorted({member.operation for member in members})
        example = members[0]
        lines += [
            f"\n== {cause}\n   {len(members)} times, in {', '.join(operations_hit)}",
            f"-- {example.family} {example.operation} (X-Request-ID {example.request_id}), "
            f"HTTP {example.status_code}",
            example.query,
            f"answer: {example.answer}",
            *by_request.get(example.request_id, []),
        ]
    unattributed = [record for record in errors if not _REQUEST_ID_IN_LOG.search(record[0])]
    if unattributed:
        lines.append(f"\n== server errors without a request id ({len(unattributed)}), first:")
        lines += unattributed[0]
    lines.append(f"\n(full server log: {server.log_path})")
    return "\n".join(lines)


_LOG_LEVELS = ("DEBUG:", "INFO:", "WARNING:", "ERROR:", "CRITICAL:")
_REQUEST_ID_IN_LOG = re.compile(r"in request (\S+)")


def server_errors(log: str) -> list[list[str]]:
    """Return the ERROR records of the server log, each with its traceback lines."""
    records: list[list[str]] = []
    for line in log.splitlines():
        if line.startswith(_LOG_LEVELS):
            records.append([line])
        elif records:
            records[-1].append(line)
    return [record for record in records if record[0].startswith(("ERROR:", "CRITICAL:"))]


# --- The tests -------------------------------------------------------------------------


def test_fuzzing_as_admin_finds_no_server_error(server: Server, schema: GraphQLSchema) -> None:
    fuzzer = Fuzzer(server, ADMIN_KEY, "admin")
    started = time.monotonic()
    for operation, examples in operations(schema, ADMIN_POSITIVE_REQUESTS):
        fuzzer.fuzz(operation.as_strategy(GenerationMode.POSITIVE), examples)
    for operation, examples in operations(schema, ADMIN_NEGATIVE_REQUESTS):
        fuzzer.fuzz(operation.as_strategy(GenerationMode.NEGATIVE), examples)
    fuzzer.report(started)
    fuzzer.assert_no_failures()


RECORD_USAGE = """
mutation ($input: RecordUsageInput!) { recordUsage(input: $input) { id userId } }"""
CREATE_KEY = """
mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }"""


def test_fuzzing_with_a_user_bound_read_key_finds_no_server_error_and_no_leak(
    server: Server, schema: GraphQLSchema
) -> None:
    # A model no fuzzed request prices, so the seeds cost the same whatever ran before.
    for user in (BOUND_USER, OTHER_USER):
        graphql_data(
            server,
            RECORD_USAGE,
            {
                "input": {
                    "provider": "OTHER",
                    "model": "fuzz-seed-model",
                    "tokensInput": 1000,
                    "tokensOutput": 500,
                    "requestId": f"fuzz-seed-{user}",
                    "userId": user,
                    "occurredAt": "2024-01-01T00:00:00Z",
                }
            },
        )
    created = graphql_data(
        server,
        CREATE_KEY,
        {"input": {"name": "fuzz read key", "scopes": ["READ"], "userId": BOUND_USER}},
    )
    fuzzer = Fuzzer(server, created["createApiKey"]["secret"], "read", only_bound_user)
    started = time.monotonic()
    for operation, examples in operations(schema, READ_KEY_REQUESTS):
        fuzzer.fuzz(operation.as_strategy(GenerationMode.POSITIVE), examples)
    fuzzer.report(started)
    fuzzer.assert_no_failures()


def _cut(case: AnyCase, at: int) -> AnyCase:
    """Keep the first 1 to len - 1 characters (an empty document is not a GraphQL request)."""
    body = str(case.body).strip()
    case.body = body[: 1 + at % max(len(body) - 1, 1)]
    return case


def test_documents_cut_short_are_refused_with_a_code(server: Server, schema: GraphQLSchema) -> None:
    fuzzer = Fuzzer(server, ADMIN_KEY, "truncated")
    started = time.monotonic()
    for operation, examples in operations(schema, TRUNCATED_REQUESTS):
        strategy = st.builds(_cut, operation.as_strategy(), st.integers(min_value=0))
        fuzzer.fuzz(strategy, examples)
    fuzzer.report(started)
    fuzzer.assert_no_failures()


INGEST_REQUESTS = round(60 * SCALE)


def test_fuzzing_the_ingest_endpoint_finds_no_server_error(server: Server) -> None:
    schema = schemathesis.openapi.from_url(
        f"{server.base_url}/openapi.json", headers=_auth(ADMIN_KEY), timeout=REQUEST_TIMEOUT
    )
    fuzzer = Fuzzer(server, ADMIN_KEY, "ingest", judge=ingest_problems_in)
    started = time.monotonic()
    for result in schema.get_all_operations():
        operation = loaded(result)
        if operation.path != "/v1/usage":
            continue  # the GraphQL routes are fuzzed above, through introspection
        # Positive mode only: the body is the endpoint's sole input, and schemathesis
        # finds no way to break its schema that it can still send.
        fuzzer.fuzz(operation.as_strategy(GenerationMode.POSITIVE), INGEST_REQUESTS)
    fuzzer.report(started)
    fuzzer.assert_no_failures()


# Inputs that once reached INTERNAL: a lone surrogate (valid JSON, not storable text),
# and two logs whose sum overflows a rollup column (9,000,000 tokens at $1 each, twice).
LONE_SURROGATE = "\ud800"
UPSERT_PRICING = """
mutation ($input: PricingInput!) { upsertPricing(input: $input) { id } }"""


def _post_json(server: Server, path: str, document: Any) -> requests.Response:
    # json.dumps writes a lone surrogate as the escape "\ud800", as a client would.
    return requests.post(
        f"{server.base_url}{path}",
        data=json.dumps(document).encode(),
        headers={**_auth(ADMIN_KEY), "Content-Type": "application/json"},
        timeout=REQUEST_TIMEOUT,
    )


def _bad_input_field(response: requests.Response) -> str:
    assert response.status_code in {200, 400}, response.text
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    field_name: str = error["extensions"]["field"]
    return field_name


def test_regression_inputs_are_refused_as_bad_input_not_internal(server: Server) -> None:
    base = {"provider": "OPENAI", "model": "gpt-4o", "tokensInput": 1, "tokensOutput": 1}
    for name in ("model", "userId", "requestId"):
        record = {**base, name: f"x{LONE_SURROGATE}"}
        graphql = _post_json(
            server, "/graphql", {"query": RECORD_USAGE, "variables": {"input": record}}
        )
        assert _bad_input_field(graphql) == name
        assert _bad_input_field(_post_json(server, "/v1/usage", [record])) == name
    graphql_data(
        server,
        UPSERT_PRICING,
        {
            "input": {
                "provider": "OPENAI",
                "modelName": "fuzz-dollar-a-token",
                "inputTokenCost": "1",
                "outputTokenCost": "1",
                "effectiveFrom": "2001-01-01T00:00:00Z",
            }
        },
    )
    huge = {
        "provider": "OPENAI",
        "model": "fuzz-dollar-a-token",
        "tokensInput": 9_000_000,
        "tokensOutput": 0,
        "occurredAt": "2024-02-01T10:00:00Z",
    }
    first = _post_json(server, "/v1/usage", [{**huge, "requestId": "fuzz-overflow-1"}])
    assert first.status_code == 200, first.text
    second = {**huge, "requestId": "fuzz-overflow-2"}
    record_second = {"query": RECORD_USAGE, "variables": {"input": second}}
    if server.dialect == "sqlite":  # 64-bit rollup sums: the second one is refused
        assert _bad_input_field(_post_json(server, "/v1/usage", [second])).endswith("tokensInput")
        assert _bad_input_field(_post_json(server, "/graphql", record_second)) == "tokensInput"
        return
    # PostgreSQL folds into NUMERIC sums: stored once, replayed once, the total exact.
    stored = _post_json(server, "/v1/usage", [second])
    assert stored.json() == {"created": 1, "replayed": 0}, stored.text
    assert "errors" not in _post_json(server, "/graphql", record_second).json()
    total = graphql_data(
        server,
        '{ costSummary(filter: {model: "fuzz-dollar-a-token"}) { requests costTotal } }',
        {},
    )
    assert total["costSummary"] == {"requests": "2", "costTotal": "18000000"}
