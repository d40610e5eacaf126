"""A LiteLLM callback that records every successful call in billgraph.

LiteLLM SDK: `litellm.callbacks = [BillgraphCallback.from_env()]`. LiteLLM proxy: put
`proxy_handler_instance = BillgraphCallback.from_env()` in a module next to the proxy's
config and name it under `litellm_settings: callbacks:`. Needs `billgraph[litellm]`.
"""

import logging
import os
from typing import Any

from litellm.integrations.custom_logger import CustomLogger

from billgraph.client.buffer import BufferedRecorder
from billgraph.client.errors import BillgraphError
from billgraph.client.extract import UsageMissingError, usage_from_response
from billgraph.client.providers import provider_from_litellm
from billgraph.client.records import UsageRecord
from billgraph.client.sync_client import BillgraphClient

logger = logging.getLogger("billgraph.client")


def usage_from_litellm(kwargs: dict[str, Any], response: Any) -> UsageRecord:
    """Return the usage record of a LiteLLM call from its callback arguments.

    The provider is the one LiteLLM resolved (`custom_llm_provider`, mapped to
    billgraph's enum, OTHER when unknown); the model is the one LiteLLM sent to it.
    """
    params: dict[str, Any] = kwargs.get("litellm_params") or {}
    payload: dict[str, Any] = kwargs.get("standard_logging_object") or {}
    metadata: dict[str, Any] = params.get("metadata") or {}
    provider = params.get("custom_llm_provider") or payload.get("custom_llm_provider")
    user_id = (
        kwargs.get("user")
        or payload.get("end_user")
        or metadata.get("user_api_key_end_user_id")
        or metadata.get("user_api_key_user_id")
        or None
    )
    return usage_from_response(
        response,
        provider=provider_from_litellm(provider),
        model=kwargs.get("model") or payload.get("model") or None,
        user_id=str(user_id) if user_id else None,
    )


class BillgraphCallback(CustomLogger):
    """Records each successful LiteLLM call through a buffered recorder."""

    def __init__(self, recorder: BufferedRecorder) -> None:
        super().__init__()
        self.recorder = recorder
        self.recorded = 0  # calls handed to the recorder
        self.failed = 0  # calls whose usage could not be read (each one logged)

    @classmethod
    def from_env(cls, **recorder_options: Any) -> "BillgraphCallback":
        """Build one from BILLGRAPH_URL and BILLGRAPH_API_KEY."""
        client = BillgraphClient(
            os.environ.get("BILLGRAPH_URL", "http://127.0.0.1:8000"),
            api_key=os.environ.get("BILLGRAPH_API_KEY"),
        )
        return cls(BufferedRecorder(client, **recorder_options))

    def log_success_event(
        self, kwargs: dict[str, Any], response_obj: Any, start_time: Any, end_time: Any
    ) -> None:
        """LiteLLM calls this after each successful synchronous call."""
        self._record(kwargs, response_obj)

    async def async_log_success_event(
        self, kwargs: dict[str, Any], response_obj: Any, start_time: Any, end_time: Any
    ) -> None:
        """LiteLLM calls this after each successful asynchronous call."""
        self._record(kwargs, response_obj)

    def _record(self, kwargs: dict[str, Any], response: Any) -> None:
        try:
            record = usage_from_litellm(kwargs, response)
        except (UsageMissingError, BillgraphError, ValueError) as error:
            self.failed += 1
            logger.warning("billgraph: no usage recorded for a LiteLLM call: %s", error)
            return
        # The request id is the response id, so a call LiteLLM reports twice is one log.
        self.recorder.record(record)
        self.recorded += 1
