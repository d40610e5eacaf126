"""The one page type every paginated list returns: a Connection of Edge[Node].

A list names its page by subclassing, e.g.
`class UsageLogConnection(Connection[Edge[UsageLog]])`: the subclass carries the GraphQL
name and description, and strawberry names the edge type `UsageLogEdge` from the node
type. An edge whose GraphQL name is not its node's name + "Edge" is a named subclass,
e.g. `class UsageRepricingEdge(Edge[UsageRepricingEntry])`.
"""

from typing import Any, Generic, Self, TypeVar

import strawberry

NodeT = TypeVar("NodeT")


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[NodeT]):
    node: NodeT
    cursor: str


EdgeT = TypeVar("EdgeT", bound=Edge[Any])


@strawberry.type
class Connection(Generic[EdgeT]):
    edges: list[EdgeT]
    page_info: PageInfo

    @classmethod
    def of(cls, edges: list[EdgeT], *, has_next_page: bool) -> Self:
        """The page of `edges`; its end cursor is the last edge's."""
        return cls(
            edges=edges,
            page_info=PageInfo(
                has_next_page=has_next_page, end_cursor=edges[-1].cursor if edges else None
            ),
        )
