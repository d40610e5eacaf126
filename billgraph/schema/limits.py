"""Query depth limiting that reports unknown fragments the standard way."""

from graphql import ValidationContext, ValidationRule
from strawberry.extensions import AddValidationRules
from strawberry.extensions.query_depth_limiter import create_validator


class QueryDepthLimit(AddValidationRules):
    """strawberry's depth limiter, minus its KeyError on a spread of an unknown fragment.

    Its rule looks fragments up while it is built; for `...Missing` that raised a bare
    KeyError whose message ("'Missing'") reached the caller. graphql-core's own rule
    reports the unknown fragment properly, so the depth rule just stands aside then.
    """

    def __init__(self, max_depth: int) -> None:
        depth_rule = create_validator(max_depth, None, None)

        class DepthRule(depth_rule):  # type: ignore[misc, valid-type]
            def __init__(self, context: ValidationContext) -> None:
                try:
                    super().__init__(context)
                except KeyError:
                    ValidationRule.__init__(self, context)

        super().__init__([DepthRule])
