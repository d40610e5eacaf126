// Budgets and alerts (ADMIN): create, change and delete budgets; register and delete
// webhook endpoints; alert events and deliveries with their status, and re-sending one.
// Every change asks first and shows its result; an error names the field the API names.
import { graphql } from "./api.js";
import { BUDGET_FIELDS, levelOf, periodText, progressBar, scopeText, windowText } from "./budgets.js";
import { formatMoney } from "./decimal.js";
import { $, confirmChange, emptyRow, fillSelect, h, setStatus } from "./dom.js";
import { BUDGET_MODES, BUDGET_PERIODS, DELIVERY_STATUSES, PROVIDERS } from "./enums.js";
import { allZones, formatTime } from "./time.js";

const PAGE = 20;
const LOAD = `query AdminBudgets { budgets { ${BUDGET_FIELDS} } apiKeys { id name userId }
  webhookEndpoints { id url description createdAt } }`;
const CREATE = `mutation CreateBudget($input: CreateBudgetInput!) { createBudget(input: $input) { ${BUDGET_FIELDS} } }`;
const UPDATE = `mutation UpdateBudget($id: ID!, $input: UpdateBudgetInput!) {
  updateBudget(id: $id, input: $input) { ${BUDGET_FIELDS} } }`;
const DELETE = "mutation DeleteBudget($id: ID!) { deleteBudget(id: $id) }";
const CREATE_ENDPOINT = `mutation CreateEndpoint($url: String!, $description: String!) {
  createWebhookEndpoint(url: $url, description: $description) { endpoint { id url } secret } }`;
const DELETE_ENDPOINT = "mutation DeleteEndpoint($id: ID!) { deleteWebhookEndpoint(id: $id) }";
const EVENTS = `query AlertEvents($first: Int!, $after: String) { alertEvents(first: $first, after: $after) {
  edges { node { id eventId budgetId threshold windowStart createdAt } } pageInfo { hasNextPage endCursor } } }`;
const DELIVERIES = `query Deliveries($first: Int!, $after: String, $status: DeliveryStatus) {
  webhookDeliveries(first: $first, after: $after, status: $status) {
    edges { node { id eventId endpointId status attempts nextAttemptAt lastStatusCode lastError createdAt deliveredAt } }
    pageInfo { hasNextPage endCursor } } }`;
const RESEND = `mutation Resend($id: ID!) { resendWebhookDelivery(id: $id) { id status attempts nextAttemptAt } }`;

// The API's field names and the inputs that hold them.
const BUDGET_INPUTS = {
  name: "bf-name", limit: "bf-limit", period: "bf-period", mode: "bf-mode", timeZone: "bf-zone",
  anchorDay: "bf-anchor-day", anchorHour: "bf-anchor-hour", thresholds: "bf-thresholds",
  userId: "bf-user", apiKeyId: "bf-key", provider: "bf-provider", model: "bf-model",
};
const ENDPOINT_INPUTS = { url: "ep-url", description: "ep-description" };

const state = {
  zone: "UTC", built: false, editing: null, budgets: [], keyNames: new Map(), endpoints: new Map(),
  events: { after: null, rows: [], load: 0 }, deliveries: { after: null, rows: [], load: 0 }, load: 0,
};

class FieldError extends Error {
  constructor(field, message) {
    super(message);
    this.field = field;
  }
}

// --- Building the view (once) --------------------------------------------------------

function field(label, input, props = {}) {
  return h("label", props, label, input);
}

function table(id, headers) {
  return h("div", { class: "table-wrap" }, h("table", { id },
    h("thead", {}, h("tr", {}, ...headers.map(([text, num]) => h("th", { scope: "col", class: num ? "num" : null },
      text ? text : h("span", { class: "sr-only", text: "Actions" }))))),
    h("tbody")));
}

function section(id, title, ...children) {
  return h("section", { "aria-labelledby": `${id}-title` }, h("h2", { id: `${id}-title`, text: title }), ...children);
}

function build() {
  const input = (id, props = {}) => h("input", { id, spellcheck: "false", autocomplete: "off", ...props });
  const select = (id) => h("select", { id });
  $("budgets-view").replaceChildren(
    h("h1", { id: "budgets-title", text: "Budgets and alerts" }),
    h("p", {}, h("button", { id: "budgets-refresh", type: "button", text: "Refresh" })),
    h("p", { id: "budgets-result", class: "status", role: "status", tabindex: "-1", hidden: true }),
    section("admin-budgets", "Budgets",
      h("p", { id: "admin-budgets-status", class: "status", role: "status" }),
      table("budgets-table", [["Name"], ["Scope"], ["Period"], ["Mode"], ["Limit", 1], ["Spent", 1],
        ["Reserved", 1], ["Remaining", 1], ["Used", 1], ["Window"], [""]]),
      h("h3", { id: "budget-form-title", tabindex: "-1", text: "New budget" }),
      h("form", { id: "budget-form", class: "controls", novalidate: true, autocomplete: "off" },
        field("Name", input("bf-name", { required: true, maxlength: "255" })),
        field("Limit (USD per window)", input("bf-limit", { required: true, inputmode: "decimal", placeholder: "5.00" })),
        field("Period", select("bf-period")),
        field("Mode", select("bf-mode")),
        field("Time zone", select("bf-zone")),
        field("Anchor day", input("bf-anchor-day", { inputmode: "numeric", placeholder: "1" }), { id: "bf-anchor-day-label" }),
        field("Anchor hour (0-23)", input("bf-anchor-hour", { inputmode: "numeric", placeholder: "0" })),
        field("Alert at % (comma-separated)", input("bf-thresholds", { inputmode: "numeric", value: "80, 100" })),
        field("Applies to", h("select", { id: "bf-scope" },
          h("option", { value: "all", text: "All usage" }),
          h("option", { value: "user", text: "One user" }),
          h("option", { value: "key", text: "One API key" }))),
        field("User id", input("bf-user"), { id: "bf-user-label", hidden: true }),
        field("API key", select("bf-key"), { id: "bf-key-label", hidden: true }),
        field("Only provider", select("bf-provider")),
        field("Only model", input("bf-model", { placeholder: "any" })),
        h("button", { id: "budget-submit", type: "submit", text: "Create budget…" }),
        h("button", { id: "budget-cancel", type: "button", hidden: true, text: "Cancel editing" })),
      h("p", { class: "muted", text: "MONTH budgets start on the anchor day (29-31 start on the last day of shorter months); WEEK budgets on an ISO weekday, 1 Monday to 7 Sunday. HARD budgets refuse authorizeUsage over the limit; SOFT ones only alert." })),
    section("endpoints", "Webhook endpoints",
      h("p", { id: "endpoints-status", class: "status", role: "status", hidden: true }),
      table("endpoints-table", [["URL"], ["Description"], ["Registered"], [""]]),
      h("form", { id: "endpoint-form", class: "controls", novalidate: true, autocomplete: "off" },
        field("URL", input("ep-url", { required: true, inputmode: "url", placeholder: "https…" }), { class: "wide" }),
        field("Description", input("ep-description", { maxlength: "255" })),
        h("button", { id: "endpoint-submit", type: "submit", text: "Register endpoint…" })),
      h("div", { id: "endpoint-secret", class: "panel", hidden: true, tabindex: "-1" },
        h("p", { id: "endpoint-secret-label" }),
        h("code", { id: "endpoint-secret-value", class: "secret" }),
        h("p", { class: "muted", text: "Each delivery carries Billgraph-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<body>\" with this secret>." }))),
    section("events", "Alert events",
      h("p", { id: "events-status", class: "status", role: "status", hidden: true }),
      table("events-table", [["Created"], ["Budget"], ["Threshold", 1], ["Window start"], ["Event id"]]),
      h("button", { id: "events-more", type: "button", hidden: true, text: "Show older events" })),
    section("deliveries", "Webhook deliveries",
      h("form", { id: "deliveries-filter", class: "controls" },
        field("Status", select("dl-status")),
        h("button", { type: "submit", text: "Show" })),
      h("p", { id: "deliveries-status", class: "status", role: "status", hidden: true }),
      table("deliveries-table", [["Delivery"], ["Event"], ["Endpoint"], ["Status"], ["Attempts", 1],
        ["Last answer"], ["Next attempt"], ["Delivered"], [""]]),
      h("button", { id: "deliveries-more", type: "button", hidden: true, text: "Show older deliveries" })),
  );
  fillSelect($("bf-period"), BUDGET_PERIODS, { selected: "MONTH" });
  fillSelect($("bf-mode"), BUDGET_MODES, { selected: "HARD" });
  fillSelect($("bf-zone"), allZones(), { selected: "UTC" });
  fillSelect($("bf-provider"), PROVIDERS, { any: "any" });
  fillSelect($("dl-status"), DELIVERY_STATUSES, { any: "any" });
  $("bf-period").addEventListener("change", syncBudgetForm);
  $("bf-scope").addEventListener("change", syncBudgetForm);
  $("budget-form").addEventListener("submit", saveBudget);
  $("budget-cancel").addEventListener("click", () => resetBudgetForm(true));
  $("endpoint-form").addEventListener("submit", registerEndpoint);
  $("budgets-refresh").addEventListener("click", loadAll);
  $("events-more").addEventListener("click", () => loadEvents(false));
  $("deliveries-more").addEventListener("click", () => loadDeliveries(false));
  $("deliveries-filter").addEventListener("submit", (event) => {
    event.preventDefault();
    loadDeliveries(true);
  });
  syncBudgetForm();
}

// --- Results and errors --------------------------------------------------------------

// A change's outcome; after a success the focus moves to it (the button may be gone).
function result(text, kind) {
  setStatus($("budgets-result"), text, kind);
  if (kind === "done") $("budgets-result").focus();
}

function clearInvalid() {
  for (const element of $("budgets-view").querySelectorAll("[aria-invalid]")) element.removeAttribute("aria-invalid");
}

// "thresholds[1]" or "input.limit" -> the input of that field.
function markInvalid(fieldName, inputs) {
  const name = String(fieldName || "").replace(/\[\d+\]/g, "").split(".").pop();
  const id = inputs[name];
  if (!id) return;
  $(id).setAttribute("aria-invalid", "true");
  $(id).focus();
}

function failed(prefix, error, inputs = {}) {
  result(`${prefix}: ${error.field ? `${error.field}: ` : ""}${error.message}`, "error");
  markInvalid(error.field, inputs);
}

// --- Budgets -------------------------------------------------------------------------

function syncBudgetForm() {
  const period = $("bf-period").value;
  const anchored = period === "WEEK" || period === "MONTH";
  $("bf-anchor-day-label").hidden = !anchored;
  $("bf-anchor-day-label").firstChild.textContent = period === "WEEK" ? "Anchor weekday (1-7)" : "Anchor day (1-31)";
  const scope = $("bf-scope").value;
  $("bf-user-label").hidden = scope !== "user";
  $("bf-key-label").hidden = scope !== "key";
}

function wholeNumber(id, fieldName) {
  const text = $(id).value.trim();
  if (text === "") return null;
  if (!/^\d+$/.test(text)) throw new FieldError(fieldName, `${fieldName} must be a whole number (got "${text}")`);
  return Number(text);
}

function thresholdsOf() {
  const text = $("bf-thresholds").value.trim();
  if (text === "") return [];
  const parts = text.split(/[\s,]+/).filter(Boolean).map((part) => part.replace(/%$/, ""));
  for (const part of parts) {
    if (!/^\d+$/.test(part)) throw new FieldError("thresholds", `thresholds must be whole percentages such as 80, 100 (got "${part}")`);
  }
  return parts.map(Number);
}

// The form as the API's input; scope fields the form does not use are null.
function budgetInput() {
  const scope = $("bf-scope").value;
  const anchored = ["WEEK", "MONTH"].includes($("bf-period").value);
  const model = $("bf-model").value.trim();
  const input = {
    name: $("bf-name").value.trim(),
    limit: $("bf-limit").value.trim(), // the typed decimal string, never a JavaScript number
    period: $("bf-period").value,
    mode: $("bf-mode").value,
    timeZone: $("bf-zone").value,
    anchorDay: anchored ? wholeNumber("bf-anchor-day", "anchorDay") : null,
    anchorHour: wholeNumber("bf-anchor-hour", "anchorHour"),
    thresholds: thresholdsOf(),
    userId: scope === "user" ? $("bf-user").value.trim() : null,
    apiKeyId: scope === "key" ? $("bf-key").value || null : null,
    provider: $("bf-provider").value || null,
    model: model || null,
  };
  if (scope === "user" && !input.userId) throw new FieldError("userId", "userId is required for a budget of one user");
  if (scope === "key" && !input.apiKeyId) throw new FieldError("apiKeyId", "apiKeyId: choose the API key");
  return input;
}

function describe(input) {
  const budget = { ...input, anchorDay: input.anchorDay ?? 1, anchorHour: input.anchorHour ?? 0 };
  const alerts = input.thresholds.length ? `alerts at ${input.thresholds.join("%, ")}%` : "no alerts";
  return `${formatMoney(input.limit)} ${periodText(budget)}, ${input.mode}, ${alerts}, for ${scopeText(budget, state.keyNames)}`;
}

async function saveBudget(event) {
  event.preventDefault();
  clearInvalid();
  let input;
  try {
    input = budgetInput();
  } catch (error) {
    failed("Not saved", error, BUDGET_INPUTS);
    return;
  }
  const editing = state.editing;
  const question = editing
    ? `Change budget “${editing.name}” (#${editing.id}) to “${input.name}”: ${describe(input)}?`
    : `Create budget “${input.name}”: ${describe(input)}?`;
  if (!(await confirmChange(question))) {
    result("Nothing changed.", "");
    return;
  }
  let budget;
  try {
    if (editing) ({ updateBudget: budget } = await graphql(UPDATE, { id: editing.id, input }));
    else ({ createBudget: budget } = await graphql(CREATE, { input }));
  } catch (error) {
    failed("Not saved", error, BUDGET_INPUTS);
    return;
  }
  const { status } = budget;
  result(`${editing ? "Saved" : "Created"} budget “${budget.name}” (#${budget.id}): ${formatMoney(budget.limit)} ${periodText(budget)}; this window ${formatMoney(status.spent)} spent, ${formatMoney(status.remaining)} remaining (${status.percentUsed}% used).`, "done");
  resetBudgetForm(false);
  await loadBudgets();
}

function resetBudgetForm(focus) {
  state.editing = null;
  clearInvalid();
  $("budget-form").reset();
  $("bf-zone").value = "UTC";
  $("budget-form-title").textContent = "New budget";
  $("budget-submit").textContent = "Create budget…";
  $("budget-cancel").hidden = true;
  syncBudgetForm();
  if (focus) $("bf-name").focus();
}

function editBudget(budget) {
  resetBudgetForm(false);
  state.editing = budget;
  $("bf-name").value = budget.name;
  $("bf-limit").value = budget.limit;
  $("bf-period").value = budget.period;
  $("bf-mode").value = budget.mode;
  $("bf-zone").value = budget.timeZone;
  $("bf-anchor-day").value = String(budget.anchorDay);
  $("bf-anchor-hour").value = String(budget.anchorHour);
  $("bf-thresholds").value = budget.thresholds.join(", ");
  $("bf-scope").value = budget.userId !== null ? "user" : budget.apiKeyId !== null ? "key" : "all";
  $("bf-user").value = budget.userId ?? "";
  $("bf-key").value = budget.apiKeyId ?? "";
  $("bf-provider").value = budget.provider ?? "";
  $("bf-model").value = budget.model ?? "";
  $("budget-form-title").textContent = `Edit budget “${budget.name}” (#${budget.id})`;
  $("budget-submit").textContent = "Save changes…";
  $("budget-cancel").hidden = false;
  syncBudgetForm();
  $("bf-name").focus();
}

async function deleteBudget(budget) {
  if (!(await confirmChange(`Delete budget “${budget.name}” (#${budget.id})? Its alert events stay.`))) {
    result("Nothing changed.", "");
    return;
  }
  try {
    await graphql(DELETE, { id: budget.id });
  } catch (error) {
    failed("Not deleted", error);
    return;
  }
  if (state.editing && state.editing.id === budget.id) resetBudgetForm(false);
  result(`Deleted budget “${budget.name}” (#${budget.id}).`, "done");
  await loadBudgets();
}

function money(value) {
  return h("td", { class: "num", dataset: { exact: value }, text: formatMoney(value) });
}

function renderBudgets() {
  const tbody = $("budgets-table").tBodies[0];
  if (!state.budgets.length) return emptyRow(tbody, 11, "No budgets yet: create one below.");
  tbody.replaceChildren(...state.budgets.map((budget) => h("tr", { dataset: { budgetId: budget.id, level: levelOf(budget) } },
    h("td", { text: budget.name }),
    h("td", { text: scopeText(budget, state.keyNames) }),
    h("td", { text: periodText(budget) }),
    h("td", { text: budget.mode }),
    money(budget.limit),
    money(budget.status.spent),
    money(budget.status.reserved),
    money(budget.status.remaining),
    h("td", { class: "num" }, progressBar(budget), h("span", { class: "sub", dataset: { exact: budget.status.percentUsed } },
      `${budget.status.percentUsed}%${budget.status.exceeded ? " exceeded" : ""}`)),
    h("td", { text: windowText(budget) }),
    h("td", {},
      h("button", { type: "button", class: "link edit", text: "Edit", onclick: () => editBudget(budget) }),
      h("button", { type: "button", class: "link delete", text: "Delete…", onclick: () => deleteBudget(budget) })),
  )));
}

function renderKeys(keys) {
  const current = $("bf-key").value;
  $("bf-key").replaceChildren(h("option", { value: "", text: "choose a key" }),
    ...keys.map((key) => h("option", { value: key.id, text: `${key.name} (#${key.id}${key.userId ? `, user ${key.userId}` : ""})` })));
  $("bf-key").value = current;
}

function renderEndpoints() {
  const tbody = $("endpoints-table").tBodies[0];
  const endpoints = [...state.endpoints.values()];
  if (!endpoints.length) return emptyRow(tbody, 4, "No endpoints: alert events are kept but sent nowhere.");
  tbody.replaceChildren(...endpoints.map((endpoint) => h("tr", { dataset: { endpointId: endpoint.id } },
    h("td", { class: "url", text: endpoint.url }),
    h("td", { text: endpoint.description }),
    h("td", { class: "time", text: formatTime(endpoint.createdAt, state.zone) }),
    h("td", {}, h("button", { type: "button", class: "link delete", text: "Delete…", onclick: () => deleteEndpoint(endpoint) })),
  )));
}

// Budgets, API keys (for the scope) and endpoints: one request.
async function loadBudgets() {
  const view = $("budgets-view");
  const status = $("admin-budgets-status");
  const load = ++state.load; // only the latest load draws: answers may arrive out of order
  view.dataset.state = "loading";
  setStatus(status, "Loading…", "loading");
  let data;
  try {
    data = await graphql(LOAD);
  } catch (error) {
    if (load !== state.load) return;
    setStatus(status, `Could not load the budgets: ${error.message}`, "error");
    view.dataset.state = "error";
    return;
  }
  if (load !== state.load) return;
  state.budgets = data.budgets;
  state.keyNames = new Map(data.apiKeys.map((key) => [key.id, key.name]));
  state.endpoints = new Map(data.webhookEndpoints.map((endpoint) => [endpoint.id, endpoint]));
  renderKeys(data.apiKeys);
  renderBudgets();
  renderEndpoints();
  setStatus(status, `${state.budgets.length} budget${state.budgets.length === 1 ? "" : "s"}; amounts in USD for the current window.`);
  view.dataset.state = "ready";
}

// --- Webhook endpoints ---------------------------------------------------------------

async function registerEndpoint(event) {
  event.preventDefault();
  clearInvalid();
  const url = $("ep-url").value.trim();
  const description = $("ep-description").value.trim();
  if (!url) {
    failed("Not registered", new FieldError("url", "url is required"), ENDPOINT_INPUTS);
    return;
  }
  if (!(await confirmChange(`Register ${url} to receive signed alert events?`))) {
    result("Nothing changed.", "");
    return;
  }
  let created;
  try {
    ({ createWebhookEndpoint: created } = await graphql(CREATE_ENDPOINT, { url, description }));
  } catch (error) {
    failed("Not registered", error, ENDPOINT_INPUTS);
    return;
  }
  $("endpoint-form").reset();
  $("endpoint-secret-label").textContent = `Signing secret of ${created.endpoint.url} (#${created.endpoint.id}), shown only this once: store it now.`;
  $("endpoint-secret-value").textContent = created.secret;
  $("endpoint-secret").hidden = false;
  result(`Registered webhook endpoint #${created.endpoint.id}: ${created.endpoint.url}.`, "done");
  await loadBudgets();
  $("endpoint-secret").focus();
}

async function deleteEndpoint(endpoint) {
  if (!(await confirmChange(`Delete the webhook endpoint ${endpoint.url}? Its pending deliveries are dropped.`))) {
    result("Nothing changed.", "");
    return;
  }
  try {
    await graphql(DELETE_ENDPOINT, { id: endpoint.id });
  } catch (error) {
    failed("Not deleted", error);
    return;
  }
  $("endpoint-secret").hidden = true;
  result(`Deleted webhook endpoint #${endpoint.id}: ${endpoint.url}.`, "done");
  await loadBudgets();
  await loadDeliveries(true);
}

// --- Alert events and deliveries (pages, newest first) -------------------------------

async function loadPage({ list, query, variables, key, statusId, tableId, columns, moreId, render, empty, what }, fresh) {
  const tbody = $(tableId).tBodies[0];
  const status = $(statusId);
  const load = ++list.load;
  if (fresh) {
    list.after = null;
    list.rows = [];
    emptyRow(tbody, columns, "Loading…");
  }
  $(tableId).dataset.state = "loading";
  let page;
  try {
    page = (await graphql(query, { ...variables, first: PAGE, after: list.after }))[key];
  } catch (error) {
    if (load !== list.load) return;
    setStatus(status, `Could not load the ${what}: ${error.message}`, "error");
    if (fresh) emptyRow(tbody, columns, "Not loaded.");
    $(tableId).dataset.state = "error";
    return;
  }
  if (load !== list.load) return;
  list.rows.push(...page.edges.map((edge) => edge.node));
  list.after = page.pageInfo.endCursor;
  $(moreId).hidden = !page.pageInfo.hasNextPage;
  if (!list.rows.length) emptyRow(tbody, columns, empty);
  else tbody.replaceChildren(...list.rows.map(render));
  setStatus(status, "");
  $(tableId).dataset.state = "ready";
}

function budgetName(id) {
  const budget = state.budgets.find((candidate) => candidate.id === id);
  return budget ? `${budget.name} (#${id})` : `#${id} (deleted)`;
}

function eventRow(event) {
  return h("tr", { dataset: { eventId: event.id } },
    h("td", { class: "time", text: formatTime(event.createdAt, state.zone) }),
    h("td", { text: budgetName(event.budgetId) }),
    h("td", { class: "num", text: `${event.threshold}%` }),
    h("td", { class: "time", text: formatTime(event.windowStart, state.zone) }),
    h("td", { class: "url", text: event.eventId }));
}

function deliveryRow(delivery) {
  const endpoint = state.endpoints.get(delivery.endpointId);
  const answer = delivery.lastStatusCode !== null ? `HTTP ${delivery.lastStatusCode}` : "";
  return h("tr", { dataset: { deliveryId: delivery.id, status: delivery.status } },
    h("td", { text: `#${delivery.id}` }),
    h("td", { text: `#${delivery.eventId}` }),
    h("td", { class: "url", text: endpoint ? endpoint.url : `#${delivery.endpointId}` }),
    h("td", {}, h("span", { class: `badge delivery ${delivery.status.toLowerCase()}`, text: delivery.status })),
    h("td", { class: "num", text: String(delivery.attempts) }),
    h("td", { class: "url", text: [answer, delivery.lastError || ""].filter(Boolean).join(": ") || "–" }),
    h("td", { class: "time", text: delivery.status === "PENDING" ? formatTime(delivery.nextAttemptAt, state.zone) : "–" }),
    h("td", { class: "time", text: delivery.deliveredAt ? formatTime(delivery.deliveredAt, state.zone) : "–" }),
    h("td", {}, h("button", { type: "button", class: "link resend", text: "Re-send…", onclick: () => resend(delivery, endpoint) })));
}

function loadEvents(fresh) {
  return loadPage({
    list: state.events, query: EVENTS, variables: {}, key: "alertEvents", statusId: "events-status",
    tableId: "events-table", columns: 5, moreId: "events-more", render: eventRow,
    empty: "No alert events yet: one is made when a budget's spend crosses a threshold in a window.",
    what: "alert events",
  }, fresh);
}

function loadDeliveries(fresh) {
  const status = $("dl-status").value || null;
  return loadPage({
    list: state.deliveries, query: DELIVERIES, variables: { status }, key: "webhookDeliveries",
    statusId: "deliveries-status", tableId: "deliveries-table", columns: 9, moreId: "deliveries-more",
    render: deliveryRow, empty: status ? `No ${status} deliveries.` : "No deliveries yet.", what: "deliveries",
  }, fresh);
}

async function resend(delivery, endpoint) {
  const where = endpoint ? endpoint.url : `endpoint #${delivery.endpointId}`;
  if (!(await confirmChange(`Send delivery #${delivery.id} (event #${delivery.eventId} to ${where}) again now, with a fresh count of attempts?`))) {
    result("Nothing changed.", "");
    return;
  }
  let queued;
  try {
    ({ resendWebhookDelivery: queued } = await graphql(RESEND, { id: delivery.id }));
  } catch (error) {
    failed("Not re-sent", error);
    return;
  }
  result(`Delivery #${queued.id} queued again: ${queued.status}, next attempt at ${formatTime(queued.nextAttemptAt, state.zone)} (${state.zone}).`, "done");
  await loadDeliveries(true);
}

export async function showAdminBudgets({ zone }) {
  state.zone = zone;
  if (!state.built) {
    build();
    state.built = true;
  }
  await loadAll();
}

async function loadAll() {
  await loadBudgets();
  await Promise.all([loadEvents(true), loadDeliveries(true)]);
}
