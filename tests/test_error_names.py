"""Services name fields in domain terms; the API and the CLI each show their own names.

Every field a service can name in an error must have an API name that the GraphQL
schema (or the ingest JSON, which uses the same names) actually has, so a caller can
find the argument or input field the error is about.
"""

import ast
from pathlib import Path

import pytest
import typer
from graphql import GraphQLInputObjectType, GraphQLObjectType, build_schema

from billgraph.api_names import api_field, api_message, api_name
from billgraph.cli import app as cli_app
from billgraph.cli_names import cli_message, cli_name
from billgraph.http_errors import CODE_OF_ERROR, HTTP_STATUS_OF_CODE, code_of
from billgraph.services import errors
from billgraph.services.budgets.reservations import BudgetExceededError
from billgraph.services.costs import check_token_counts
from billgraph.services.errors import BillingError, ConflictError, InvalidInputError
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
        # A field a service still names in camelCase reads the same way.
        ("inputTokenCost", "inputTokenCost", "--input-token-cost"),
    ],
)
def test_each_layer_names_a_domain_field_its_own_way(domain: str, api: str, cli: str) -> None:
    assert api_name(domain) == api
    assert cli_name(domain) == cli


def test_a_message_naming_two_fields_is_rendered_per_layer() -> None:
    with pytest.raises(InvalidInputError) as raised:
        check_token_counts(tokens_input=10, tokens_output=5, tokens_cached_input=11)
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
