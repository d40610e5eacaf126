"""The names the command line gives domain fields: its options.

Services name fields by their domain (snake_case) names; the CLI shows the option a
user types instead, e.g. `--chunk-size` for `chunk_size`. This is the one place that
maps them; an option that is not the kebab-case spelling of its field (`--model`
for `model_name`) goes into EXCEPTIONS.
"""

import re

from billgraph.services.errors import BillingError

# Domain field -> CLI option, where the option is not `--` + the kebab-case spelling.
EXCEPTIONS = {
    "model_name": "--model",
    "user_id": "--user",
    "tokens_input": "--input",
    "tokens_output": "--output",
    "occurred_from": "--from",
    "occurred_to": "--to",
    "scopes": "--scope",
}
_CAMEL_HUMP = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def cli_name(field: str) -> str:
    """Return the option of a domain field: `chunk_size` -> `--chunk-size`.

    A camelCase name (`chunkSize`) is read as its snake_case spelling.
    """
    snake = _CAMEL_HUMP.sub("_", field).lower()
    return EXCEPTIONS.get(snake, "--" + snake.replace("_", "-"))


def cli_message(error: BillingError) -> str:
    """Return the error's message with CLI option names."""
    return error.render(cli_name)
