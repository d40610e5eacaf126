"""billgraph: a GraphQL billing service for LLM API usage."""
