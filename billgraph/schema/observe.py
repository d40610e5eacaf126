"""Name each GraphQL operation in the log lines of its request, and count and time it."""

import time
from collections.abc import Iterator

from strawberry.extensions import SchemaExtension

from billgraph import metrics
from billgraph.logs import note_operation


class ObserveOperation(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        note_operation(self.execution_context.operation_name)
        yield
        context = self.execution_context
        note_operation(context.operation_name)
        result = context.result
        failed = bool(context.pre_execution_errors) or bool(result is not None and result.errors)
        metrics.graphql_operation(
            operation=context.operation_name, ok=not failed, seconds=time.perf_counter() - started
        )
