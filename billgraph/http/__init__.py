"""Plain HTTP endpoints beside GraphQL, for what is not a graph."""
