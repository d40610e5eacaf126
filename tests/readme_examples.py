"""Reading the README's examples: fenced blocks, what runs, and what each should answer.

The convention (also stated in the README, above its first example):

- a block tagged `graphql` is sent to `/graphql` as ADMIN; a block that holds several
  operations names each of them, and each is sent (in order) with its `operationName`;
- a block tagged `json variables` right after a `graphql` block holds its variables;
- a block tagged `json` right after a `graphql` block (or after its variables) is the
  answer it must give: every key shown must be there with the value shown (`"..."` stands
  for any value); for a block of several operations it maps operation names to answers.
  Without one, the block must answer without errors;
- a block tagged `bash` or `sh` runs in a shell from the repository root and must exit 0;
  a block tagged `text` right after it is its output: each line shown must appear, in
  that order, in what the commands print (spaces collapsed);
- blocks tagged `console` or `text` (other than an output) are not run.

"Right after" means only blank lines in between.
"""

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphql import OperationDefinitionNode, parse

RUNNABLE_SHELL = frozenset({"bash", "sh"})
ANY_VALUE = "..."
_FENCE = re.compile(r"^(```+|~~~+)\s*(.*)$")


@dataclass
class Block:
    """One fenced block: the line of its opening fence (1-based), its tag and text."""

    line: int
    tag: str
    info: tuple[str, ...]
    text: str
    right_after_previous: bool

    def describe(self) -> str:
        return f"README.md line {self.line} ({' '.join((self.tag, *self.info))} block)"


@dataclass
class Example:
    """A block that runs, with the variables and the answer the README gives for it."""

    block: Block
    variables: dict[str, Any] | None = None
    expected: Block | None = None
    operations: list[str | None] = field(default_factory=list)


def fenced_blocks(markdown: str) -> list[Block]:
    """Return the fenced blocks of a Markdown text, in order."""
    blocks: list[Block] = []
    lines = markdown.splitlines()
    index = 0
    only_blank_since_last = False
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if opening is None:
            if lines[index].strip():
                only_blank_since_last = False
            index += 1
            continue
        fence, info = opening.groups()
        words = tuple(info.split())
        end = index + 1
        while end < len(lines) and not lines[end].strip().startswith(fence):
            end += 1
        blocks.append(
            Block(
                line=index + 1,
                tag=words[0].lower() if words else "",
                info=words[1:],
                text="\n".join(lines[index + 1 : end]),
                right_after_previous=bool(blocks) and only_blank_since_last,
            )
        )
        only_blank_since_last = True
        index = end + 1
    return blocks


def operation_names(block: Block) -> list[str | None]:
    """Return the operations of a `graphql` block; several must each have a name."""
    document = parse(block.text)
    operations = [
        definition
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode)
    ]
    names = [operation.name.value if operation.name else None for operation in operations]
    if len(names) > 1 and None in names:
        raise AssertionError(
            f"{block.describe()}: holds {len(names)} operations and not all are named, "
            "so it cannot be pasted into GraphiQL whole; name each operation"
        )
    return names


def examples(markdown: str) -> list[Example]:
    """Return the README's runnable examples, in order, with their variables and answers."""
    blocks = fenced_blocks(markdown)
    found: list[Example] = []
    index = 0

    def right_after(tag: str, *, variables: bool = False) -> Block | None:
        nonlocal index
        following = blocks[index] if index < len(blocks) else None
        if (
            following is None
            or not following.right_after_previous
            or following.tag != tag
            or ("variables" in following.info) != variables
        ):
            return None
        index += 1
        return following

    while index < len(blocks):
        block = blocks[index]
        index += 1
        if block.tag == "graphql":
            example = Example(block, operations=operation_names(block))
            variables = right_after("json", variables=True)
            if variables is not None:
                example.variables = json.loads(variables.text)
            example.expected = right_after("json")
            found.append(example)
        elif block.tag in RUNNABLE_SHELL:
            found.append(Example(block, expected=right_after("text")))
    return found


def json_difference(actual: object, expected: object, path: str = "") -> str | None:
    """Return where `actual` differs from what `expected` shows, or None if it matches."""
    here = path or "the answer"
    if expected == ANY_VALUE:
        return None
    if isinstance(expected, dict):
        return _object_difference(actual, expected, path)
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return f"{here}: expected {expected!r}, got {actual!r}"
        differences = (
            json_difference(item, shown, f"{path}[{position}]")
            for position, (item, shown) in enumerate(zip(actual, expected, strict=True))
        )
        return next((difference for difference in differences if difference), None)
    if actual != expected or type(actual) is not type(expected):
        return f"{here}: the README shows {expected!r}, the server answered {actual!r}"
    return None


def _object_difference(actual: object, expected: dict[str, Any], path: str) -> str | None:
    if not isinstance(actual, dict):
        return f"{path or 'the answer'}: expected an object, got {actual!r}"
    for key, value in expected.items():
        if key not in actual:
            return f"{path or 'the answer'}: no {key!r} in {actual!r}"
        difference = json_difference(actual[key], value, f"{path}.{key}" if path else key)
        if difference is not None:
            return difference
    return None


def text_difference(output: str, expected: str) -> str | None:
    """Return the first shown line missing (in order) from `output`, or None."""
    printed = [" ".join(line.split()) for line in output.splitlines()]
    position = 0
    for shown in expected.splitlines():
        wanted = " ".join(shown.split())
        if not wanted:
            continue
        while position < len(printed) and printed[position] != wanted:
            position += 1
        if position == len(printed):
            return f"the README shows the line {wanted!r}, which the commands did not print"
        position += 1
    return None


def readme_text(repo_root: Path) -> str:
    return (repo_root / "README.md").read_text(encoding="utf-8")
