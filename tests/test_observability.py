"""/metrics, JSON log lines with the request's fields, and a refused startup in one line."""

import asyncio
import json
import logging
import sqlite3
from pathlib import Path

import pytest
from starlette.types import Message

from billgraph.app import create_app
from billgraph.logs import configure_logging
from billgraph.migrate import upgrade_database
from tests.conftest import ADMIN_KEY, Api, Database, create_key, make_settings, running_app

RECORD = """
mutation RecordOne($input: RecordUsageInput!) {
  recordUsage(input: $input) { requestId costTotal }
}"""


def sample(text: str, name: str, **labels: str) -> float:
    """Return the value of one sample of the Prometheus text, 0 if absent."""
    wanted = ",".join(f'{key}="{value}"' for key, value in labels.items())
    for line in text.splitlines():
        if line.startswith(f"{name}{{{wanted}}} ") or (not labels and line.startswith(f"{name} ")):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


async def test_metrics_count_records_operations_errors_and_priced_cost(api: Api) -> None:
    before = (await api.http.get("/metrics")).text
    usage = {"provider": "OPENAI", "model": "gpt-4o", "tokensInput": 1000, "tokensOutput": 500}
    usage["requestId"] = "metrics-1"

    await api.data(RECORD, {"input": usage})
    await api.data(RECORD, {"input": usage})  # a replay
    conflict = await api.error(RECORD, {"input": {**usage, "tokensOutput": 501}})
    after = (await api.http.get("/metrics")).text

    def moved(name: str, **labels: str) -> float:
        return sample(after, name, **labels) - sample(before, name, **labels)

    assert conflict["extensions"]["code"] == "CONFLICT"
    assert moved("billgraph_usage_records_total", outcome="created") == 1
    assert moved("billgraph_usage_records_total", outcome="replayed") == 1
    assert moved("billgraph_usage_records_total", outcome="conflicting") == 1
    assert moved("billgraph_errors_total", code="CONFLICT") == 1
    assert moved("billgraph_graphql_operations_total", operation="RecordOne", outcome="ok") == 2
    assert moved("billgraph_graphql_operations_total", operation="RecordOne", outcome="error") == 1
    assert moved("billgraph_http_requests_total", endpoint="/graphql", status="200") == 3
    assert moved("billgraph_cost_priced_usd_total", pricing_source="BUILTIN_ESTIMATE") > 0


async def test_metrics_need_an_admin_key_in_production(database: Database) -> None:
    settings = make_settings(database, environment="production")
    async with running_app(settings) as client:
        anonymous = await client.get("/metrics")
        admin = await client.get("/metrics", headers={"Authorization": f"Bearer {ADMIN_KEY}"})

    assert anonymous.status_code == 401
    assert anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert admin.status_code == 200
    assert "billgraph_http_requests_total" in admin.text


async def test_json_logs_carry_request_id_key_and_operation_on_every_line_and_no_secret(
    api: Api, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = await create_key(api, ["INGEST"])
    configure_logging(level="INFO", as_json=True)
    capsys.readouterr()
    try:
        response = await api.http.post(
            "/graphql",
            json={
                "query": RECORD,
                "variables": {
                    "input": {
                        "provider": "OPENAI",
                        "model": "m",
                        "tokensInput": 1,
                        "tokensOutput": 1,
                    }
                },
            },
            headers={"Authorization": f"Bearer {secret}", "X-Request-ID": "log-test-1"},
        )
        logged = capsys.readouterr().err
    finally:
        configure_logging(level="WARNING", as_json=False)

    lines = [json.loads(line) for line in logged.splitlines() if line.strip()]
    access = [line for line in lines if line["logger"] == "billgraph.access"]
    assert response.status_code == 200
    assert len(access) == 1
    assert access[0]["request_id"] == "log-test-1"
    assert access[0]["operation"] == "RecordOne"
    assert isinstance(access[0]["key_id"], int)
    assert access[0]["status"] == 200
    assert all(line.get("request_id") == "log-test-1" for line in lines)
    assert secret not in logged
    assert ADMIN_KEY not in logged


async def test_a_worker_refuses_a_database_ahead_of_its_code_in_one_line(
    tmp_path: Path,
) -> None:
    url = f"sqlite://{tmp_path / 'ahead.sqlite3'}"
    await upgrade_database(url)
    with sqlite3.connect(tmp_path / "ahead.sqlite3") as connection:
        connection.execute(
            "INSERT INTO aerich (version, app, content) VALUES ('99_x_future.py', 'models', '{}')"
        )
    app = create_app(make_settings(Database("sqlite", url)))
    messages: list[Message] = [{"type": "lifespan.startup"}]
    sent: list[Message] = []

    async def receive() -> Message:
        if messages:
            return messages.pop()
        await asyncio.Event().wait()  # the server would send shutdown later
        return {}

    async def send(message: Message) -> None:
        sent.append(message)

    with pytest.raises(Exception, match="ahead of this code"):
        await app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, receive, send)

    assert sent[0]["type"] == "lifespan.startup.failed"
    assert sent[0]["message"].startswith("billgraph: cannot start: the database schema is ahead")
    assert "\n" not in sent[0]["message"]


def test_a_database_outage_in_asyncpgs_pool_log_is_one_line_and_a_bug_keeps_its_exception(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging(level="INFO", as_json=True)
    capsys.readouterr()
    pool = logging.getLogger("asyncpg.pool")
    try:
        for error in (ConnectionRefusedError(111, "Connect call failed"), KeyError("bug")):
            pool.warning(
                "Failed to restore the pool connection floor; retrying",
                exc_info=(type(error), error, None),
            )
        logged = capsys.readouterr().err
    finally:
        configure_logging(level="WARNING", as_json=False)

    outage, bug = [json.loads(line) for line in logged.splitlines() if line.strip()]
    assert "exception" not in outage
    assert outage["message"] == (
        "Failed to restore the pool connection floor; retrying "
        "(ConnectionRefusedError: [Errno 111] Connect call failed)"
    )
    assert bug["exception"].endswith("KeyError: 'bug'")  # anything else keeps it
