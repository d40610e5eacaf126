// Usage logs: filters, keyset pages (newest first), explanations and CSV export.
import { download, graphql } from "./api.js";
import { formatCount, formatMoney } from "./decimal.js";
import { $, emptyRow, h, selectValue, setStatus } from "./dom.js";
import { explainCost, termsAddUp } from "./explain.js";
import { formatTime, fromLocalInput, toLocalInput } from "./time.js";

const LOG_FIELDS = `id requestId userId provider model tokensInput tokensOutput tokensCachedInput
  tokensCacheWrite tokensReasoning inputTokenCost outputTokenCost cachedInputTokenCost
  cacheWriteTokenCost reasoningTokenCost costInput costOutput costCachedInput costCacheWrite
  costReasoning costTotal pricingSource matchedModelName pricingId serviceTier pricedServiceTier
  pricedAboveInputTokens occurredAt recordedAt`;
const QUERY = `query UsageLogs($filter: UsageFilter, $first: Int, $after: String) {
  usageLogs(filter: $filter, first: $first, after: $after) {
    edges { cursor node { ${LOG_FIELDS} } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const RESOLVE = `query Resolve($provider: Provider!, $model: String!, $at: DateTime) {
  resolvePricing(provider: $provider, model: $model, at: $at) {
    pricingProvider source matchedModelName pricing { id effectiveFrom managedBy }
  }
}`;
const FILTER_FIELDS = ["userId", "provider", "model", "pricingSource", "from", "to"];

const state = { filter: {}, cursors: [null], page: 0, logs: [], zone: "UTC" };

function readForm(zone) {
  const filter = {};
  const text = (id) => $(id).value.trim();
  if (text("f-user")) filter.userId = text("f-user");
  if ($("f-provider").value) filter.provider = $("f-provider").value;
  if (text("f-model")) filter.model = text("f-model");
  if ($("f-source").value) filter.pricingSource = $("f-source").value;
  const from = fromLocalInput($("f-from").value, zone);
  const to = fromLocalInput($("f-to").value, zone);
  if (from) filter.from = from.toISOString();
  if (to) filter.to = to.toISOString();
  return filter;
}

function writeForm(filter, zone) {
  $("f-user").value = filter.userId || "";
  selectValue($("f-provider"), filter.provider ? filter.provider.toLowerCase() : "");
  $("f-model").value = filter.model || "";
  $("f-source").value = filter.pricingSource || "";
  $("f-from").value = filter.from ? toLocalInput(filter.from, zone) : "";
  $("f-to").value = filter.to ? toLocalInput(filter.to, zone) : "";
}

// The filter in a hash link such as #/logs?pricingSource=BUILTIN_ESTIMATE (no key there).
export function filterFromQuery(query) {
  const params = new URLSearchParams(query);
  const filter = {};
  for (const name of FILTER_FIELDS) if (params.get(name)) filter[name] = params.get(name);
  return filter;
}

function sourceCell(log) {
  const estimate = log.pricingSource === "BUILTIN_ESTIMATE";
  return h("td", {},
    h("span", { class: `badge${estimate ? " estimate" : ""}`, text: log.pricingSource }),
    log.matchedModelName ? h("span", { class: "sub", text: log.matchedModelName }) : null,
    estimate ? h("span", { class: "sub", text: "estimate" }) : null);
}

function tokensCell(log) {
  const parts = [];
  if (log.tokensCachedInput) parts.push(`${formatCount(log.tokensCachedInput)} cached`);
  if (log.tokensCacheWrite) parts.push(`${formatCount(log.tokensCacheWrite)} cache write`);
  if (log.tokensReasoning) parts.push(`${formatCount(log.tokensReasoning)} reasoning`);
  return h("td", { class: "num" }, `${formatCount(log.tokensInput)} / ${formatCount(log.tokensOutput)}`,
    parts.length ? h("span", { class: "sub", text: parts.join(", ") }) : null);
}

function row(log, index) {
  return h("tr", { class: log.pricingSource === "BUILTIN_ESTIMATE" ? "estimate" : null, dataset: { logId: log.id } },
    h("td", { class: "time", text: formatTime(log.occurredAt, state.zone) }),
    h("td", { text: log.userId ?? "—" }),
    h("td", { text: log.provider }),
    h("td", { text: log.model }),
    tokensCell(log),
    h("td", { class: "num", text: `${log.inputTokenCost} / ${log.outputTokenCost}` }),
    h("td", { class: "num", text: `${formatMoney(log.costInput)} / ${formatMoney(log.costOutput)}` }),
    h("td", { class: "num", text: formatMoney(log.costTotal), dataset: { exact: log.costTotal } }),
    sourceCell(log),
    h("td", {}, h("button", {
      type: "button", class: "link explain", text: "Explain",
      "aria-label": `Explain the cost of ${log.model} at ${formatTime(log.occurredAt, state.zone)}`,
      onclick: () => explain(index),
    })),
  );
}

async function loadPage() {
  const status = $("logs-status");
  const tbody = $("logs-table").tBodies[0];
  $("logs-view").dataset.state = "loading";
  setStatus(status, "Loading…", "loading");
  $("logs-prev").disabled = true;
  $("logs-next").disabled = true;
  let data;
  try {
    data = await graphql(QUERY, {
      filter: state.filter,
      first: Number($("f-size").value),
      after: state.cursors[state.page],
    });
  } catch (error) {
    setStatus(status, `Could not load the logs: ${error.message}`, "error");
    emptyRow(tbody, 10, "The logs could not be loaded.");
    $("logs-view").dataset.state = "error";
    return;
  }
  const { edges, pageInfo } = data.usageLogs;
  state.logs = edges.map((edge) => edge.node);
  state.cursors[state.page + 1] = pageInfo.endCursor;
  if (!edges.length) emptyRow(tbody, 10, "No usage logs match these filters.");
  else tbody.replaceChildren(...state.logs.map(row));
  $("logs-page").textContent = `Page ${state.page + 1}`;
  $("logs-prev").disabled = state.page === 0;
  $("logs-next").disabled = !pageInfo.hasNextPage;
  setStatus(status, edges.length ? `${edges.length} logs on this page, newest first.` : "No usage logs match these filters.", edges.length ? "" : "empty");
  $("logs-view").dataset.state = "ready";
}

// The version's tier that priced a log: "STANDARD" (its own prices), "BATCH above 200000".
function tierName(log) {
  const above = Number(log.pricedAboveInputTokens || 0);
  return above ? `${log.pricedServiceTier} above ${above} input tokens` : log.pricedServiceTier;
}

async function explain(index) {
  const log = state.logs[index];
  const panel = $("explanation");
  panel.hidden = false;
  panel.dataset.state = "loading";
  $("explanation-text").textContent = "Loading…";
  $("explanation-note").textContent = "";
  panel.dataset.logId = log.id;
  let resolved = null;
  try {
    resolved = (await graphql(RESOLVE, { provider: log.provider, model: log.model, at: log.occurredAt })).resolvePricing;
  } catch (error) {
    $("explanation-note").textContent = `The pricing provider could not be looked up: ${error.message}`;
  }
  $("explanation-text").textContent = explainCost(log, resolved ? resolved.pricingProvider : null);
  const notes = [];
  if (!termsAddUp(log)) notes.push("The parts do not add up to the stored total: report this log.");
  if (resolved && (resolved.source !== log.pricingSource || resolved.matchedModelName !== log.matchedModelName)) {
    notes.push(`Prices for that time have changed since it was recorded: the chain would now pick ${resolved.source}${resolved.matchedModelName ? ` ${resolved.matchedModelName}` : ""}. The log keeps the price it was recorded with.`);
  } else if (resolved && resolved.pricing) {
    notes.push(`Price version in effect from ${formatTime(resolved.pricing.effectiveFrom, state.zone)}, managed by ${resolved.pricing.managedBy}.`);
  }
  $("explanation-note").textContent = notes.join(" ");
  const details = [
    ["Request id", log.requestId], ["User", log.userId ?? "—"],
    ["Occurred", formatTime(log.occurredAt, state.zone)], ["Recorded", formatTime(log.recordedAt, state.zone)],
    ["Pricing source", log.pricingSource], ["Matched row", log.matchedModelName ?? "—"],
    ["Price version", log.pricingId ? `#${log.pricingId}` : "none (no price row)"],
    ["Service tier", log.serviceTier],
    ["Priced by tier", tierName(log)],
    ["Estimate", log.pricingSource === "BUILTIN_ESTIMATE" ? "yes" : "no"],
    ["Cost input", formatMoney(log.costInput)], ["of which cached", formatMoney(log.costCachedInput)],
    ["of which cache write", formatMoney(log.costCacheWrite)], ["Cost output", formatMoney(log.costOutput)],
    ["of which reasoning", formatMoney(log.costReasoning)], ["Cost total", formatMoney(log.costTotal)],
  ];
  $("explanation-details").replaceChildren(...details.flatMap(([term, value]) => [h("dt", { text: term }), h("dd", { text: value })]));
  panel.dataset.state = "ready";
  panel.focus();
}

async function exportCsv() {
  const status = $("logs-status");
  const params = new URLSearchParams(state.filter);
  setStatus(status, "Exporting…", "loading");
  try {
    await download(`/v1/usage/export.csv?${params}`, "usage-logs.csv");
    setStatus(status, "Exported the filtered logs as usage-logs.csv.");
  } catch (error) {
    setStatus(status, `Export failed: ${error.message}`, "error");
  }
}

export function setupLogs() {
  $("logs-filter").addEventListener("submit", (event) => {
    event.preventDefault();
    const filter = readForm(state.zone);
    const query = new URLSearchParams(filter).toString();
    const target = `#/logs${query ? `?${query}` : ""}`;
    if (location.hash === target) showLogs(filter, state.zone);
    else location.hash = target;
  });
  $("logs-reset").addEventListener("click", () => { location.hash = "#/logs"; });
  $("f-size").addEventListener("change", () => showLogs(state.filter, state.zone));
  $("logs-next").addEventListener("click", () => { state.page += 1; loadPage(); });
  $("logs-prev").addEventListener("click", () => { state.page = Math.max(0, state.page - 1); loadPage(); });
  $("export-csv").addEventListener("click", exportCsv);
  $("explanation-close").addEventListener("click", () => { $("explanation").hidden = true; });
}

export function showLogs(filter, zone) {
  state.filter = filter;
  state.zone = zone;
  state.cursors = [null];
  state.page = 0;
  $("logs-zone").textContent = zone;
  $("explanation").hidden = true;
  writeForm(filter, zone);
  return loadPage();
}
