// The page's only way to the server: POST /graphql with the key as a bearer token (and
// the CSV export endpoint). The key lives in this module and in sessionStorage, which
// belongs to this tab alone: never localStorage, never a URL.

const KEY_SLOT = "billgraph.apiKey";
let apiKey = null;
let onUnauthenticated = () => {};

export class ApiError extends Error {
  constructor(message, code, field) {
    super(message);
    this.code = code || "INTERNAL";
    this.field = field || null;
  }
}

export function restoreKey() {
  apiKey = sessionStorage.getItem(KEY_SLOT);
  return apiKey;
}

export function useKey(key) {
  apiKey = key;
  sessionStorage.setItem(KEY_SLOT, key);
}

export function forgetKey() {
  apiKey = null;
  sessionStorage.removeItem(KEY_SLOT);
}

export function whenUnauthenticated(handler) {
  onUnauthenticated = handler;
}

function headers() {
  return { "Content-Type": "application/json", Authorization: `Bearer ${apiKey}` };
}

function errorOf(body, status) {
  const first = body && Array.isArray(body.errors) ? body.errors[0] : null;
  if (!first) return new ApiError(`billgraph answered HTTP ${status}`, "INTERNAL");
  const extensions = first.extensions || {};
  return new ApiError(first.message, extensions.code, extensions.field);
}

export async function graphql(query, variables = {}) {
  let response;
  try {
    response = await fetch("/graphql", { method: "POST", headers: headers(), body: JSON.stringify({ query, variables }) });
  } catch (error) {
    throw new ApiError(`billgraph cannot be reached (${error.message})`, "UNAVAILABLE");
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    throw new ApiError(`billgraph answered HTTP ${response.status} without JSON`, "INTERNAL");
  }
  if (body.errors && body.errors.length) {
    const error = errorOf(body, response.status);
    if (error.code === "UNAUTHENTICATED") onUnauthenticated(error);
    throw error;
  }
  return body.data;
}

// Download an authenticated file (the server streams it) under `filename`.
export async function download(path, filename) {
  const response = await fetch(path, { headers: { Authorization: `Bearer ${apiKey}` } });
  if (!response.ok) {
    let body = null;
    try { body = await response.json(); } catch { /* not JSON */ }
    const error = errorOf(body, response.status);
    if (error.code === "UNAUTHENTICATED") onUnauthenticated(error);
    throw error;
  }
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
