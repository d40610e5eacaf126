"""Services name fields in domain terms; the API and the CLI each show their own names.

Every field a service can name in an error must have an API name that the GraphQL
schema (or the ingest JSON, which uses the same names) actually has, so a caller can
find the argument or input field the error is about.
"""

import ast
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
import typer
from graphql import GraphQLInputObjectType, GraphQLObjectType, build_schema

from billgraph.api_names import api_field, api_message, api_name
from billgraph.cli import app as cli_app
from billgraph.cli_names import cli_message, cli_name
from billgraph.http_errors import CODE_OF_ERROR, HTTP_STATUS_OF_CODE, code_of
from billgraph.services import errors
from billgraph.services.api_keys import SYSTEM
from billgraph.services.budgets.reservations import BudgetExceededError
from billgraph.services.errors import BillingError, ConflictError, InvalidInputError
from billgraph.services.pricing_admin import PriceChange
from billgraph.services.reports import cost_time_series
from billgraph.services.time_buckets import Granularity
from billgraph.services.token_counts import TokenCounts
from billgraph.services.usage import UsageFilter
from billgraph.services.usage_fields import PAYLOAD_COLUMNS

CLI_ONLY_FIELDS = {"chunk_size"}
SERVICES = Path(__file__).resolve().parents[1] / "billgraph" / "services"


def _strings(node: ast.expr) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Tuple | ast.List):
        return [text for element in node.elts for text in _strings(element)]
    return []


def domain_fields_named_by_services() -> dict[str, str]:
    """Return every field name a service module passes as an error's field, with where.

    Found as `field="..."` and `mentions=(...)` arguments, defaults of a `field`
    parameter, and `for field, value in (("name", ...), ...)` loops.
    """
    found: dict[str, str] = {}
    for path in sorted(SERVICES.rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        where = str(path.relative_to(SERVICES.parent.parent))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Call):
                for keyword in node.keywords:
                    if keyword.arg in {"field", "mentions"}:
                        names += _strings(keyword.value)
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                arguments = node.args
                for argument, default in zip(
                    arguments.kwonlyargs, arguments.kw_defaults, strict=True
                ):
                    if argument.arg == "field" and default is not None:
                        names += _strings(default)
            elif (
                isinstance(node, ast.For)
                and isinstance(node.target, ast.Tuple)
                and isinstance(node.target.elts[0], ast.Name)
                and node.target.elts[0].id == "field"
                and isinstance(node.iter, ast.Tuple)
            ):
                names += [
                    element.elts[0].value
                    for element in node.iter.elts
                    if isinstance(element, ast.Tuple)
                    and isinstance(element.elts[0], ast.Constant)
                    and isinstance(element.elts[0].value, str)
                ]
            for name in names:
                found.setdefault(name, f"{where}:{getattr(node, 'lineno', '?')}")
    return found


def graphql_input_names(sdl: str) -> set[str]:
    """Return every argument and input-object field name of the schema."""
    schema = build_schema(sdl)
    names: set[str] = set()
    for named in schema.type_map.values():
        if isinstance(named, GraphQLInputObjectType):
            names.update(named.fields)
        if isinstance(named, GraphQLObjectType):
            for field in named.fields.values():
                names.update(field.args)
    return names


def cli_options() -> set[str]:
    """Return every option of every `billgraph` command."""
    options: set[str] = set()
    pending = [typer.main.get_command(cli_app)]
    while pending:
        command = pending.pop()
        options.update(opt for param in command.params for opt in param.opts)
        subcommands = getattr(command, "commands", None)  # a group's
        if isinstance(subcommands, dict):
            pending.extend(subcommands.values())
    return options


def test_the_scan_finds_the_fields_of_each_kind_of_site() -> None:
    fields = domain_fields_named_by_services()

    assert "tokens_cached_input" in fields  # a `for field, value in ...` loop
    assert "tokens_output" in fields  # mentions=
    assert "time_zone" in fields  # a `field` parameter's default
    assert "chunk_size" in fields  # field=


def test_every_field_a_service_names_has_a_graphql_name(repo_root: Path) -> None:
    inputs = graphql_input_names((repo_root / "schema.graphql").read_text())
    unknown = {
        name: where
        for name, where in domain_fields_named_by_services().items()
        if api_name(name) not in inputs
    }

    # Only the CLI lets a caller choose the re-pricing chunk size.
    assert set(unknown) == CLI_ONLY_FIELDS
    assert {cli_name(name) for name in CLI_ONLY_FIELDS} <= cli_options()


def test_the_record_usage_input_is_named_by_the_api_names(repo_root: Path) -> None:
    schema = build_schema((repo_root / "schema.graphql").read_text())
    record_usage = schema.type_map["RecordUsageInput"]
    assert isinstance(record_usage, GraphQLInputObjectType)

    for column in (*PAYLOAD_COLUMNS, "request_id", "occurred_at", "reservation_id"):
        assert api_name(column) in record_usage.fields, column


@pytest.mark.parametrize(
    ("domain", "api", "cli"),
    [
        ("tokens_cached_input", "tokensCachedInput", "--tokens-cached-input"),
        ("chunk_size", "chunkSize", "--chunk-size"),
        ("model_name", "modelName", "--model"),
        ("occurred_from", "from", "--from"),
        ("user_id", "userId", "--user"),
        ("model", "model", "--model"),
        # A field the schema layer names in camelCase (its own errors) reads the same way.
        ("inputTokenCost", "inputTokenCost", "--input-token-cost"),
    ],
)
def test_each_layer_names_a_domain_field_its_own_way(domain: str, api: str, cli: str) -> None:
    assert api_name(domain) == api
    assert cli_name(domain) == cli


def test_a_message_naming_two_fields_is_rendered_per_layer() -> None:
    with pytest.raises(InvalidInputError) as raised:
        TokenCounts(input=10, output=5, cached_input=11).check()
    error = raised.value

    assert error.message == (
        "tokens_cached_input must not exceed tokens_input, which counts all prompt tokens"
    )
    assert api_message(error) == (
        "tokensCachedInput must not exceed tokensInput, which counts all prompt tokens"
    )
    assert cli_message(error) == (
        "--tokens-cached-input must not exceed --input, which counts all prompt tokens"
    )
    assert api_field(error) == "tokensCachedInput"
    assert str(error) == error.message


def test_braces_that_name_no_field_of_the_error_are_left_alone() -> None:
    error = ConflictError(
        "{field} '{user_id}' was already recorded with a different {model}",
        field="request_id",
        mentions=("model",),
    )

    # The caller's request id happens to read `{user_id}`: not a field this error names.
    assert api_message(error) == "requestId '{user_id}' was already recorded with a different model"
    assert BillingError("{field} without a field").message == "{field} without a field"


def test_every_domain_error_class_has_a_code_with_an_http_status() -> None:
    classes = [
        value
        for value in vars(errors).values()
        if isinstance(value, type) and issubclass(value, BillingError) and value is not BillingError
    ]

    assert set(classes) == set(CODE_OF_ERROR)
    assert all(code in HTTP_STATUS_OF_CODE for code in CODE_OF_ERROR.values())


def test_a_subclass_answers_with_its_base_class_code() -> None:
    class LateError(errors.UnavailableError):
        pass

    assert code_of(LateError("later")) == "UNAVAILABLE"
    assert issubclass(BudgetExceededError, errors.ForbiddenError)
    assert code_of(BillingError("a bug")) == "INTERNAL"


_CAMEL_CASE = re.compile(r"[a-z][a-z0-9]*[A-Z][A-Za-z0-9]*")


def camel_case_arguments(tree: ast.AST) -> list[tuple[int, str]]:
    """Return (line, text) of each camelCase word passed as an argument to a call, or
    used as a key of an error's `details`.

    A service naming a field that way (`field="inputTokenCost"`, or positionally to a
    helper that passes it on) speaks the API's language; dict keys of stored or sent
    JSON (audit values, webhook bodies) are not arguments and are not found.
    """
    found = []
    for node in ast.walk(tree):
        texts: list[str] = []
        if isinstance(node, ast.Call):
            for argument in (*node.args, *(keyword.value for keyword in node.keywords)):
                texts += _strings(argument)
        elif (
            isinstance(node, ast.Assign)
            and any(
                isinstance(target, ast.Attribute) and target.attr == "details"
                for target in node.targets
            )
            and isinstance(node.value, ast.Dict)
        ):
            texts += [text for key in node.value.keys if key is not None for text in _strings(key)]
        line = getattr(node, "lineno", 0)
        found += [(line, text) for text in texts if _CAMEL_CASE.fullmatch(text)]
    return sorted(found)


def field_names_put_into_messages(tree: ast.AST) -> list[int]:
    """Return the lines where an error's message puts a field name in with an f-string
    (`f"{field} must ..."`) instead of the `{field}` placeholder each layer renders."""

    def names_a_field(part: ast.expr) -> bool:
        return isinstance(part, ast.FormattedValue) and any(
            isinstance(name, ast.Name) and name.id in {"field", "mentions"}
            for name in ast.walk(part.value)
        )

    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id.endswith("Error")
        and node.args
        and isinstance(node.args[0], ast.JoinedStr)
        and any(names_a_field(part) for part in node.args[0].values)
    ]


def test_the_naming_scans_find_what_they_look_for() -> None:
    tree = ast.parse(
        "def check(value, field):\n"
        '    price(value, field="inputTokenCost")\n'
        '    optional(value, "cacheWriteTokenCost")\n'
        '    raise InvalidInputError(f"{field} must not be negative", field=field)\n'
        '    raise InvalidInputError(f"{{field}} must be at most {MAXIMUM}", field=field)\n'
        '    body = {"requestId": value}\n'
        '    error.details = {"reason": value, "budgetId": value}\n'
    )

    assert camel_case_arguments(tree) == [
        (2, "inputTokenCost"),
        (3, "cacheWriteTokenCost"),
        (7, "budgetId"),
    ]
    assert field_names_put_into_messages(tree) == [4]


def test_services_name_fields_by_their_domain_names_only() -> None:
    camel_case: dict[str, list[tuple[int, str]]] = {}
    spelled_in: dict[str, list[int]] = {}
    for path in sorted(SERVICES.rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        where = str(path.relative_to(SERVICES.parent.parent))
        if found := camel_case_arguments(tree):
            camel_case[where] = found
        if lines := field_names_put_into_messages(tree):
            spelled_in[where] = lines

    # The API's camelCase names come from billgraph.api_names, the CLI's from cli_names.
    assert camel_case == {}
    # A name put into the message text cannot be rendered per layer.
    assert spelled_in == {}
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", name) for name in domain_fields_named_by_services())


@pytest.mark.parametrize(
    ("prices", "domain", "api", "cli"),
    [
        (
            {"input_token_cost": "-0.000001", "output_token_cost": "0"},
            "input_token_cost must not be negative",
            "inputTokenCost must not be negative",
            "--input-token-cost must not be negative",
        ),
        (
            {"input_token_cost": "0", "output_token_cost": 0.5},
            'output_token_cost must be a decimal string such as "0.000001", not a float',
            'outputTokenCost must be a decimal string such as "0.000001", not a float',
            '--output-token-cost must be a decimal string such as "0.000001", not a float',
        ),
        (
            {"input_token_cost": "0", "output_token_cost": "0", "reasoning_token_cost": "1e-13"},
            "reasoning_token_cost has more than 12 decimal places: 1e-13",
            "reasoningTokenCost has more than 12 decimal places: 1e-13",
            "--reasoning-token-cost has more than 12 decimal places: 1e-13",
        ),
        (
            # A caller's braces come back as sent, not read as a field.
            {
                "input_token_cost": "0",
                "output_token_cost": "0",
                "cache_write_token_cost": "{field}",
            },
            "cache_write_token_cost is not a number: '{field}' (a price is ASCII digits with an "
            "optional point and an optional exponent)",
            "cacheWriteTokenCost is not a number: '{field}' (a price is ASCII digits with an "
            "optional point and an optional exponent)",
            "--cache-write-token-cost is not a number: '{field}' (a price is ASCII digits with an "
            "optional point and an optional exponent)",
        ),
    ],
)
def test_a_bad_price_is_named_by_its_domain_field_and_each_layer_names_it(
    prices: dict[str, object], domain: str, api: str, cli: str
) -> None:
    with pytest.raises(InvalidInputError) as raised:
        PriceChange(**prices).columns()
    error = raised.value

    assert error.message == domain
    assert api_message(error) == api
    assert api_field(error) == api.split(maxsplit=1)[0]
    assert cli_message(error) == cli


async def test_a_report_range_is_named_as_the_filter_names_it() -> None:
    # Both refusals come before any database work.
    with pytest.raises(InvalidInputError) as raised:
        await cost_time_series(
            usage_filter=UsageFilter(occurred_to=datetime(2026, 1, 1, tzinfo=UTC)),
            granularity=Granularity.DAY,
            time_zone="UTC",
            caller=SYSTEM,
        )
    assert (api_field(raised.value), api_message(raised.value)) == (
        "from",
        "a time series needs filter.from",
    )
    assert raised.value.field == "occurred_from"

    with pytest.raises(InvalidInputError) as raised:
        await cost_time_series(
            usage_filter=UsageFilter(
                occurred_from=datetime(1970, 1, 1, tzinfo=UTC),
                occurred_to=datetime(2020, 1, 1, tzinfo=UTC),
            ),
            granularity=Granularity.DAY,
            time_zone="UTC",
            caller=SYSTEM,
        )
    assert api_field(raised.value) == "to"
    assert api_message(raised.value).startswith("18262 day buckets between from and to; ")
    assert cli_message(raised.value).startswith("18262 day buckets between --from and --to; ")
