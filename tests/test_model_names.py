"""Model name variants the chain matches on."""

import pytest

from billgraph.services.errors import InvalidInputError
from billgraph.services.model_names import clean_name, model_key, short_model_key


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("openai/gpt-oss-120b:groq", "gpt-oss-120b"),
        ("gpt-oss-120b", "gpt-oss-120b"),
        ("  Meta-Llama/Llama-3.1-8B-Instruct:novita ", "llama-3.1-8b-instruct"),
        ("org/sub/model-x", "model-x"),
        ("model:route", "model"),
    ],
)
def test_short_name_drops_the_path_and_the_route(name: str, short: str) -> None:
    assert short_model_key(name) == short


def test_model_key_is_trimmed_and_case_insensitive() -> None:
    assert model_key("  OpenAI/GPT-OSS-120B:groq ") == "openai/gpt-oss-120b:groq"


@pytest.mark.parametrize(
    ("value", "message"), [("   ", "must not be empty"), ("x" * 256, "at most 255")]
)
def test_names_must_be_present_and_bounded(value: str, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message) as raised:
        clean_name(value, field="model")
    assert raised.value.field == "model"


def test_a_name_of_255_characters_is_accepted() -> None:
    assert clean_name("x" * 255, field="model") == "x" * 255
