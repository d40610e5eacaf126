// The schema's enums, so the page needs no introspection (a test compares them with
// schema.graphql).
export const PROVIDERS = [
  "OPENAI", "ANTHROPIC", "GOOGLE", "MISTRAL", "HUGGINGFACE", "GROQ", "COHERE", "DEEPSEEK",
  "XAI", "OTHER",
];
export const PRICING_SOURCES = [
  "EXACT", "SHORT_NAME", "DEFAULT_ROW", "ENVIRONMENT", "BUILTIN_ESTIMATE",
];
export const BUDGET_PERIODS = ["DAY", "WEEK", "MONTH", "LIFETIME"];
export const BUDGET_MODES = ["HARD", "SOFT"];
export const DELIVERY_STATUSES = ["PENDING", "DELIVERED", "FAILED"];
