// Webhooks (ADMIN): register and delete endpoints; alert events and deliveries with their
// status, newest first, and re-sending a delivery. Each change asks first.
import { graphql } from "./api.js";
import { FieldError, clearInvalid, failed, field, input, result, section, select, table } from "./admin_ui.js";
import { $, confirmChange, emptyRow, fillSelect, h, setStatus } from "./dom.js";
import { DELIVERY_STATUSES } from "./enums.js";
import { formatTime } from "./time.js";

const PAGE = 20;
const ENDPOINTS = "query Endpoints { webhookEndpoints { id url description createdAt } }";
const CREATE_ENDPOINT = `mutation CreateEndpoint($url: String!, $description: String!) {
  createWebhookEndpoint(url: $url, description: $description) { endpoint { id url } secret } }`;
const DELETE_ENDPOINT = "mutation DeleteEndpoint($id: ID!) { deleteWebhookEndpoint(id: $id) }";
const EVENTS = `query AlertEvents($first: Int!, $after: String) { alertEvents(first: $first, after: $after) {
  edges { node { id eventId budgetId threshold windowStart createdAt } } pageInfo { hasNextPage endCursor } } }`;
const DELIVERIES = `query Deliveries($first: Int!, $after: String, $status: DeliveryStatus, $eventId: ID) {
  webhookDeliveries(first: $first, after: $after, status: $status, eventId: $eventId) {
    edges { node { id eventId endpointId status attempts nextAttemptAt lastStatusCode lastError createdAt deliveredAt } }
    pageInfo { hasNextPage endCursor } } }`;
const RESEND = `mutation Resend($id: ID!) { resendWebhookDelivery(id: $id) { id status attempts nextAttemptAt } }`;
const ENDPOINT_INPUTS = { url: "ep-url", description: "ep-description" };
const DELIVERY_INPUTS = { eventId: "dl-event", status: "dl-status" };

const state = {
  zone: "UTC", budgetName: (id) => `#${id}`, endpoints: new Map(), load: 0,
  events: { after: null, rows: [], load: 0 }, deliveries: { after: null, rows: [], load: 0 },
};

// The endpoints, alert events and deliveries sections (built once).
export function webhookSections() {
  const endpoints = section("endpoints", "Webhook endpoints",
      h("p", { id: "endpoints-status", class: "status", role: "status", hidden: true }),
      table("endpoints-table", [["URL"], ["Description"], ["Registered"], [""]]),
      h("form", { id: "endpoint-form", class: "controls", novalidate: true, autocomplete: "off" },
        field("URL", input("ep-url", { required: true, inputmode: "url", placeholder: "https…" }), { class: "wide" }),
        field("Description", input("ep-description", { maxlength: "255" })),
        h("button", { id: "endpoint-submit", type: "submit", text: "Register endpoint…" })),
      h("div", { id: "endpoint-secret", class: "panel", hidden: true, tabindex: "-1" },
        h("p", { id: "endpoint-secret-label" }),
        h("code", { id: "endpoint-secret-value", class: "secret" }),
        h("p", { class: "muted", text: "Each delivery carries Billgraph-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<body>\" with this secret>." })));
  const events = section("events", "Alert events",
      h("p", { id: "events-status", class: "status", role: "status", hidden: true }),
      table("events-table", [["Created"], ["Budget"], ["Threshold", 1], ["Window start"], ["Event id"], [""]]),
      h("button", { id: "events-more", type: "button", hidden: true, text: "Show older events" }));
  const deliveries = section("deliveries", "Webhook deliveries",
      h("form", { id: "deliveries-filter", class: "controls" },
        field("Status", select("dl-status")),
        field("Of event #", input("dl-event", { inputmode: "numeric", placeholder: "any" })),
        h("button", { type: "submit", text: "Show" })),
      h("p", { id: "deliveries-status", class: "status", role: "status", hidden: true }),
      table("deliveries-table", [["Delivery"], ["Event"], ["Endpoint"], ["Status"], ["Attempts", 1],
        ["Last answer"], ["Next attempt"], ["Delivered"], [""]]),
      h("button", { id: "deliveries-more", type: "button", hidden: true, text: "Show older deliveries" }));
  fillSelect(deliveries.querySelector("#dl-status"), DELIVERY_STATUSES, { any: "any" });
  endpoints.querySelector("#endpoint-form").addEventListener("submit", registerEndpoint);
  events.querySelector("#events-more").addEventListener("click", () => loadEvents(false));
  deliveries.querySelector("#deliveries-more").addEventListener("click", () => loadDeliveries(false));
  deliveries.querySelector("#deliveries-filter").addEventListener("submit", (event) => {
    event.preventDefault();
    loadDeliveries(true);
  });
  return [endpoints, events, deliveries];
}

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
  await loadEndpoints();
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
  await loadEndpoints();
  await loadDeliveries(true);
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

async function loadEndpoints() {
  const status = $("endpoints-status");
  const load = ++state.load; // only the latest load draws: answers may arrive out of order
  $("endpoints-table").dataset.state = "loading";
  let data;
  try {
    data = await graphql(ENDPOINTS);
  } catch (error) {
    if (load !== state.load) return;
    setStatus(status, `Could not load the endpoints: ${error.message}`, "error");
    $("endpoints-table").dataset.state = "error";
    return;
  }
  if (load !== state.load) return;
  state.endpoints = new Map(data.webhookEndpoints.map((endpoint) => [endpoint.id, endpoint]));
  renderEndpoints();
  setStatus(status, "");
  $("endpoints-table").dataset.state = "ready";
}

// --- Alert events and deliveries (pages, newest first) -------------------------------

async function loadPage({ list, query, variables, key, statusId, tableId, columns, moreId, render, empty, what, inputs = {} }, fresh) {
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
    setStatus(status, `Could not load the ${what}: ${error.field ? `${error.field}: ` : ""}${error.message}`, "error");
    if (error.field && inputs[error.field]) $(inputs[error.field]).setAttribute("aria-invalid", "true");
    if (fresh) emptyRow(tbody, columns, "Not loaded.");
    $(tableId).dataset.state = "error";
    return;
  }
  if (load !== list.load) return;
  for (const id of Object.values(inputs)) $(id).removeAttribute("aria-invalid");
  list.rows.push(...page.edges.map((edge) => edge.node));
  list.after = page.pageInfo.endCursor;
  $(moreId).hidden = !page.pageInfo.hasNextPage;
  if (!list.rows.length) emptyRow(tbody, columns, empty);
  else tbody.replaceChildren(...list.rows.map(render));
  setStatus(status, "");
  $(tableId).dataset.state = "ready";
}

function eventRow(event) {
  return h("tr", { dataset: { eventId: event.id } },
    h("td", { class: "time", text: formatTime(event.createdAt, state.zone) }),
    h("td", { text: state.budgetName(event.budgetId) }),
    h("td", { class: "num", text: `${event.threshold}%` }),
    h("td", { class: "time", text: formatTime(event.windowStart, state.zone) }),
    h("td", { class: "url", text: event.eventId }),
    h("td", {}, h("button", { type: "button", class: "link deliveries", text: "Deliveries", onclick: () => showDeliveriesOf(event) })));
}

function showDeliveriesOf(event) {
  $("dl-event").value = event.id;
  $("dl-status").value = "";
  loadDeliveries(true);
  $("deliveries-title").scrollIntoView();
  $("dl-event").focus();
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
    tableId: "events-table", columns: 6, moreId: "events-more", render: eventRow,
    empty: "No alert events yet: one is made when a budget's spend crosses a threshold in a window.",
    what: "alert events",
  }, fresh);
}

function loadDeliveries(fresh) {
  const status = $("dl-status").value || null;
  const eventId = $("dl-event").value.trim() || null;
  const which = [status, eventId ? `of event #${eventId}` : null].filter(Boolean).join(" ");
  return loadPage({
    list: state.deliveries, query: DELIVERIES, variables: { status, eventId }, key: "webhookDeliveries",
    statusId: "deliveries-status", tableId: "deliveries-table", columns: 9, moreId: "deliveries-more",
    render: deliveryRow, empty: which ? `No deliveries ${which}.` : "No deliveries yet.", what: "deliveries",
    inputs: DELIVERY_INPUTS,
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

// budgetName(id) names an event's budget; the endpoints come first, deliveries name them.
export async function loadWebhooks({ zone, budgetName }) {
  state.zone = zone;
  state.budgetName = budgetName;
  await loadEndpoints();
  await Promise.all([loadEvents(true), loadDeliveries(true)]);
}
