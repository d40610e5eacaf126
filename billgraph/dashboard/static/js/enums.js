// The schema's enums, so the page needs no introspection (a test compares them with
// schema.graphql). Providers are data, not an enum: app.js loads them from `providers`.
export const PRICING_SOURCES = [
  "EXACT", "SHORT_NAME", "DEFAULT_ROW", "ENVIRONMENT", "BUILTIN_ESTIMATE",
];
