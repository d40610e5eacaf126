"""Real servers on free 127.0.0.1 ports for the client tests: billgraph and fake LLM APIs."""

import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tests.servers import free_port

START_TIMEOUT = 60.0


@dataclass
class BillgraphServer:
    """`billgraph serve` in a subprocess; stop() and start() keep the port and database."""

    database_url: str
    admin_key: str
    workdir: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.workdir / "server.log"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> None:
        env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "ADMIN_API_KEY": self.admin_key,
            "ENVIRONMENT": "development",
            "PYTHONUNBUFFERED": "1",
        }
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603  (our interpreter and module)
                [sys.executable, "-m", "billgraph.cli", "serve", "--port", str(self.port)],
                cwd=self.workdir,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"billgraph serve exited:\n{self.log_path.read_text()}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)  # polling for the server to come up, not synchronising a test
        pytest.fail(f"billgraph serve did not come up:\n{self.log_path.read_text()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


# --- A fake LLM API: OpenAI-compatible chat completions and Anthropic messages ---------


@dataclass
class FakeLlm:
    """What the fake API answers next; every request it got."""

    usage: dict[str, Any] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)


def _sse(data: dict[str, Any], event: str | None = None) -> str:
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {json.dumps(data)}\n\n"


def fake_llm_app(state: FakeLlm) -> Starlette:
    async def chat_completions(request: Request) -> Response:
        body = await request.json()
        state.requests.append(body)
        response_id = f"chatcmpl-{uuid.uuid4().hex}"
        model = body["model"]
        if not body.get("stream"):
            return JSONResponse(
                {
                    "id": response_id,
                    "object": "chat.completion",
                    "created": int(time.time()),
                    "model": model,
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": "Hello!"},
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": state.usage,
                }
            )

        def chunk(delta: dict[str, Any], finish: str | None) -> dict[str, Any]:
            return {
                "id": response_id,
                "object": "chat.completion.chunk",
                "created": int(time.time()),
                "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            }

        events = [
            _sse(chunk({"role": "assistant", "content": "Hel"}, None)),
            _sse(chunk({"content": "lo!"}, "stop")),
        ]
        if (body.get("stream_options") or {}).get("include_usage"):
            events.append(
                _sse(
                    {
                        "id": response_id,
                        "object": "chat.completion.chunk",
                        "created": int(time.time()),
                        "model": model,
                        "choices": [],
                        "usage": state.usage,
                    }
                )
            )
        events.append("data: [DONE]\n\n")
        return StreamingResponse(iter(events), media_type="text/event-stream")

    async def messages(request: Request) -> Response:
        body = await request.json()
        state.requests.append(body)
        message_id = f"msg_{uuid.uuid4().hex}"
        message = {
            "id": message_id,
            "type": "message",
            "role": "assistant",
            "model": body["model"],
            "content": [{"type": "text", "text": "Hello!"}],
            "stop_reason": "end_turn",
            "stop_sequence": None,
            "usage": state.usage,
        }
        if not body.get("stream"):
            return JSONResponse(message)
        start_usage = {**state.usage, "output_tokens": 1}
        events = [
            _sse(
                {
                    "type": "message_start",
                    "message": {
                        **message,
                        "content": [],
                        "stop_reason": None,
                        "usage": start_usage,
                    },
                },
                "message_start",
            ),
            _sse(
                {
                    "type": "content_block_start",
                    "index": 0,
                    "content_block": {"type": "text", "text": ""},
                },
                "content_block_start",
            ),
            _sse(
                {
                    "type": "content_block_delta",
                    "index": 0,
                    "delta": {"type": "text_delta", "text": "Hello!"},
                },
                "content_block_delta",
            ),
            _sse({"type": "content_block_stop", "index": 0}, "content_block_stop"),
            _sse(
                {
                    "type": "message_delta",
                    "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                    "usage": {"output_tokens": state.usage["output_tokens"]},
                },
                "message_delta",
            ),
            _sse({"type": "message_stop"}, "message_stop"),
        ]
        return StreamingResponse(iter(events), media_type="text/event-stream")

    return Starlette(
        routes=[
            Route("/v1/chat/completions", chat_completions, methods=["POST"]),
            Route("/v1/messages", messages, methods=["POST"]),
        ]
    )


@dataclass
class FakeLlmServer:
    state: FakeLlm
    url: str


def serve_fake_llm() -> Iterator[FakeLlmServer]:
    """Run the fake LLM API with uvicorn in a thread on a free port."""
    state = FakeLlm()
    server = uvicorn.Server(
        uvicorn.Config(fake_llm_app(state), host="127.0.0.1", port=0, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the fake LLM server did not start")
        time.sleep(0.02)  # polling for the server to come up
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield FakeLlmServer(state, f"http://127.0.0.1:{port}")
    finally:
        server.should_exit = True
        thread.join(timeout=10)
