"""Query depth and alias limits as validation rules, built once per schema.

strawberry's QueryDepthLimiter and MaxAliasesLimiter build new rule classes each time
they are constructed, that is on every request; the validation cache keys on the rule
classes, so it never hit. Building the classes once keeps it effective.
"""

from graphql import ASTValidationRule, ValidationContext, ValidationRule
from strawberry.extensions.max_aliases import create_validator as alias_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule


def limit_rules(*, max_depth: int, max_aliases: int) -> list[type[ASTValidationRule]]:
    """Return the depth and alias rules for these limits."""
    depth = depth_rule(max_depth, None, None)

    class DepthRule(depth):  # type: ignore[misc, valid-type]
        # strawberry's rule looks fragments up while it is built; for a spread of an
        # unknown fragment that raised a bare KeyError whose message ("'Missing'")
        # reached the caller. graphql-core's own rule reports the unknown fragment.
        def __init__(self, context: ValidationContext) -> None:
            try:
                super().__init__(context)
            except KeyError:
                ValidationRule.__init__(self, context)

    return [DepthRule, alias_rule(max_aliases)]
