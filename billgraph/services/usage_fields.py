"""The columns of a usage log, named once: token counts, unit prices and costs by part.

Services use these domain (column) names; the API and the CLI show their own names
(billgraph.api_names, billgraph.cli_names).
"""

TOKEN_COLUMNS = (
    "tokens_input",
    "tokens_output",
    "tokens_cached_input",
    "tokens_cache_write",
    "tokens_reasoning",
)
UNIT_PRICE_COLUMNS = (
    "input_token_cost_pico",
    "output_token_cost_pico",
    "cached_input_token_cost_pico",
    "cache_write_token_cost_pico",
    "reasoning_token_cost_pico",
)
COST_COLUMNS = (
    "cost_input_pico",
    "cost_output_pico",
    "cost_cached_input_pico",
    "cost_cache_write_pico",
    "cost_reasoning_pico",
    "cost_total_pico",
)
# What a caller sends about one call; a replay must repeat these exactly.
PAYLOAD_COLUMNS = ("user_id", "provider", "model", "service_tier", *TOKEN_COLUMNS)
# Which tier of the price version priced the call: (standard, 0) is the version itself.
PRICED_TIER_COLUMNS = ("priced_service_tier", "priced_above_prompt_tokens")
# Every column the write path stores, in the order of its arrays and JSON rows
# (`id` comes from the database, `recorded_at` is one value per write).
LOG_COLUMNS = (
    "request_id",
    *PAYLOAD_COLUMNS,
    *UNIT_PRICE_COLUMNS,
    *COST_COLUMNS,
    "pricing_source",
    "matched_model_name",
    "pricing_id",
    *PRICED_TIER_COLUMNS,
    "api_key_id",
    "occurred_at",
)
TEXT_COLUMNS = frozenset(
    {
        "request_id",
        "user_id",
        "provider",
        "model",
        "service_tier",
        "pricing_source",
        "matched_model_name",
        "priced_service_tier",
    }
)
