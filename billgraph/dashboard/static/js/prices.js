// Prices: current prices and their versions, the calculator, and admin changes.
import { graphql } from "./api.js";
import { formatMoney } from "./decimal.js";
import { $, confirmChange, emptyRow, h, setStatus } from "./dom.js";
import { explainCost } from "./explain.js";
import { formatTime, fromLocalInput } from "./time.js";

const PRICE_FIELDS = `id provider modelName inputTokenCost outputTokenCost cachedInputTokenCost
  cacheWriteTokenCost reasoningTokenCost effectiveFrom managedBy updatedAt`;
const PRICINGS = `query Prices {
  pricings { ${PRICE_FIELDS} }
  scheduled: scheduledPricings { ${PRICE_FIELDS} }
}`;
const VERSIONS = `query Versions($provider: Provider!, $modelName: String!) {
  pricingVersions(provider: $provider, modelName: $modelName) { ${PRICE_FIELDS} }
}`;
const ESTIMATE = `query Estimate($provider: Provider!, $model: String!, $tokensInput: Int!,
  $tokensOutput: Int!, $tokensCachedInput: Int!, $tokensCacheWrite: Int!, $tokensReasoning: Int!,
  $at: DateTime) {
  estimateCost(provider: $provider, model: $model, tokensInput: $tokensInput,
    tokensOutput: $tokensOutput, tokensCachedInput: $tokensCachedInput,
    tokensCacheWrite: $tokensCacheWrite, tokensReasoning: $tokensReasoning, at: $at) {
    tokensInput tokensOutput tokensCachedInput tokensCacheWrite tokensReasoning
    costInput costOutput costTotal
    pricing { provider pricingProvider requestedModel matchedModelName source isEstimate
      inputTokenCost outputTokenCost cachedInputTokenCost cacheWriteTokenCost reasoningTokenCost }
  }
}`;
const UPSERT = `mutation SetPrice($input: PricingInput!) { upsertPricing(input: $input) { ${PRICE_FIELDS} } }`;
const DELETE = `mutation DeletePrice($provider: Provider!, $modelName: String!, $effectiveFrom: DateTime) {
  deletePricing(provider: $provider, modelName: $modelName, effectiveFrom: $effectiveFrom)
}`;
const INITIALIZE = `mutation Initialize { initializePricing {
  created { provider modelName } updated { provider modelName }
  unchanged { provider modelName } skipped { provider modelName }
} }`;

const state = { admin: false, zone: "UTC" };

const priceText = (value, fallback) => value ?? h("span", { class: "muted", text: fallback });

function adminResult(text, kind = "") {
  setStatus($("admin-result"), text, kind);
}

async function deletePrice(price, effectiveFrom = null) {
  const what = effectiveFrom
    ? `the version of ${price.provider} ${price.modelName} from ${formatTime(effectiveFrom, state.zone)}`
    : `every version of ${price.provider} ${price.modelName}`;
  if (!(await confirmChange(`Delete ${what}? Logs it priced keep their costs.`))) return;
  try {
    await graphql(DELETE, { provider: price.provider, modelName: price.modelName, effectiveFrom });
    adminResult(`Deleted ${what}.`, "done");
    await loadPrices();
    $("versions").hidden = true;
  } catch (error) {
    adminResult(`Delete failed: ${error.message}`, "error");
  }
}

async function showVersions(price) {
  const panel = $("versions");
  const tbody = $("versions-table").tBodies[0];
  panel.hidden = false;
  $("versions-title").textContent = `Versions of ${price.provider} ${price.modelName}`;
  emptyRow(tbody, 6, "Loading…");
  try {
    const { pricingVersions } = await graphql(VERSIONS, { provider: price.provider, modelName: price.modelName });
    if (!pricingVersions.length) return emptyRow(tbody, 6, "No versions.");
    tbody.replaceChildren(...pricingVersions.map((version) => h("tr", { class: isScheduled(version) ? "scheduled" : null },
      h("td", {}, formatTime(version.effectiveFrom, state.zone), isScheduled(version) ? scheduledBadge() : null),
      h("td", { class: "num", text: version.inputTokenCost }),
      h("td", { class: "num", text: version.outputTokenCost }),
      h("td", { text: version.managedBy }),
      h("td", { text: formatTime(version.updatedAt, state.zone) }),
      h("td", {}, state.admin ? h("button", {
        type: "button", class: "link", text: "Delete version…",
        onclick: () => deletePrice(price, version.effectiveFrom),
      }) : null),
    )));
  } catch (error) {
    emptyRow(tbody, 6, `Could not load the versions: ${error.message}`);
  }
  panel.focus();
}

// A version is scheduled while its start lies ahead; the server decides which ones those
// are (scheduledPricings), the clock here only marks them in the versions panel.
const isScheduled = (version) => Date.parse(version.effectiveFrom) > Date.now();
const scheduledBadge = () => h("span", { class: "badge scheduled", text: "scheduled" });

function renderScheduled(scheduled) {
  const tbody = $("scheduled-table").tBodies[0];
  if (!scheduled.length) return emptyRow(tbody, 10, "No price changes are scheduled.");
  tbody.replaceChildren(...scheduled.map((price) => h("tr", {
    class: "scheduled", dataset: { provider: price.provider, model: price.modelName, effectiveFrom: price.effectiveFrom },
  },
    h("td", { class: "time" }, formatTime(price.effectiveFrom, state.zone), " ", scheduledBadge()),
    h("td", { text: price.provider }),
    h("td", { text: price.modelName }),
    h("td", { class: "num", text: price.inputTokenCost }),
    h("td", { class: "num", text: price.outputTokenCost }),
    h("td", { class: "num" }, priceText(price.cachedInputTokenCost, "input")),
    h("td", { class: "num" }, priceText(price.cacheWriteTokenCost, "input")),
    h("td", { class: "num" }, priceText(price.reasoningTokenCost, "output")),
    h("td", { text: price.managedBy }),
    h("td", {},
      h("button", { type: "button", class: "link", text: "Versions", onclick: () => showVersions(price) }),
      state.admin ? h("button", {
        type: "button", class: "link delete", text: "Delete…",
        onclick: () => deletePrice(price, price.effectiveFrom),
      }) : null),
  )));
}

export async function loadPrices() {
  const status = $("prices-status");
  const tbody = $("prices-table").tBodies[0];
  $("prices-view").dataset.state = "loading";
  setStatus(status, "Loading…", "loading");
  let pricings;
  let scheduled;
  try {
    ({ pricings, scheduled } = await graphql(PRICINGS));
  } catch (error) {
    setStatus(status, `Could not load the prices: ${error.message}`, "error");
    $("prices-view").dataset.state = "error";
    return;
  }
  if (!pricings.length) emptyRow(tbody, 10, "No prices yet: every call is priced by the chain's fallbacks.");
  else tbody.replaceChildren(...pricings.map((price) => h("tr", { dataset: { provider: price.provider, model: price.modelName } },
    h("td", { text: price.provider }),
    h("td", { text: price.modelName }),
    h("td", { class: "num", text: price.inputTokenCost }),
    h("td", { class: "num", text: price.outputTokenCost }),
    h("td", { class: "num" }, priceText(price.cachedInputTokenCost, "input")),
    h("td", { class: "num" }, priceText(price.cacheWriteTokenCost, "input")),
    h("td", { class: "num" }, priceText(price.reasoningTokenCost, "output")),
    h("td", { text: formatTime(price.effectiveFrom, state.zone) }),
    h("td", { text: price.managedBy }),
    h("td", {},
      h("button", { type: "button", class: "link", text: "Versions", onclick: () => showVersions(price) }),
      state.admin ? h("button", { type: "button", class: "link delete", text: "Delete…", onclick: () => deletePrice(price) }) : null),
  )));
  renderScheduled(scheduled);
  setStatus(status, `${pricings.length} prices in effect now; ${scheduled.length} scheduled.`);
  $("prices-view").dataset.state = "ready";
}

function count(id) {
  const value = $(id).value.trim();
  return value === "" ? 0 : Number(value);
}

async function calculate(event) {
  event.preventDefault();
  const error = $("calc-error");
  error.hidden = true;
  $("calc-result").dataset.state = "loading";
  const at = fromLocalInput($("calc-at").value, state.zone);
  const variables = {
    provider: $("calc-provider").value,
    model: $("calc-model").value,
    tokensInput: count("calc-input"),
    tokensOutput: count("calc-output"),
    tokensCachedInput: count("calc-cached"),
    tokensCacheWrite: count("calc-cache-write"),
    tokensReasoning: count("calc-reasoning"),
    at: at ? at.toISOString() : null,
  };
  try {
    const { estimateCost: cost } = await graphql(ESTIMATE, variables);
    const { pricing } = cost;
    const call = {
      ...cost, provider: pricing.provider, model: pricing.requestedModel,
      pricingSource: pricing.source, matchedModelName: pricing.matchedModelName,
      inputTokenCost: pricing.inputTokenCost, outputTokenCost: pricing.outputTokenCost,
      cachedInputTokenCost: pricing.cachedInputTokenCost, cacheWriteTokenCost: pricing.cacheWriteTokenCost,
      reasoningTokenCost: pricing.reasoningTokenCost,
    };
    $("calc-total").textContent = formatMoney(cost.costTotal);
    $("calc-total").dataset.exact = cost.costTotal;
    $("calc-explanation").textContent = explainCost(call, pricing.pricingProvider)
      + (pricing.isEstimate ? " (an estimate: no price is known for this model)" : "");
    $("calc-result").hidden = false;
    $("calc-result").dataset.state = "ready";
  } catch (failure) {
    $("calc-result").hidden = true;
    error.textContent = `${failure.field ? `${failure.field}: ` : ""}${failure.message}`;
    error.hidden = false;
  }
}

function optionalDecimal(id) {
  const value = $(id).value.trim();
  return value === "" ? null : value;
}

async function upsert(event) {
  event.preventDefault();
  const effectiveFrom = fromLocalInput($("up-from").value, state.zone);
  // Decimals go as the typed strings: never through a JavaScript number.
  const input = {
    provider: $("up-provider").value,
    modelName: $("up-model").value.trim(),
    inputTokenCost: $("up-input").value.trim(),
    outputTokenCost: $("up-output").value.trim(),
    cachedInputTokenCost: optionalDecimal("up-cached"),
    cacheWriteTokenCost: optionalDecimal("up-cache-write"),
    reasoningTokenCost: optionalDecimal("up-reasoning"),
    effectiveFrom: effectiveFrom ? effectiveFrom.toISOString() : null,
  };
  const when = effectiveFrom ? `from ${formatTime(effectiveFrom.toISOString(), state.zone)} (${state.zone})` : "from now";
  const question = `Set ${input.provider} ${input.modelName} to ${input.inputTokenCost} per input token and ${input.outputTokenCost} per output token, ${when}?`;
  if (!(await confirmChange(question))) {
    adminResult("Nothing changed.");
    return;
  }
  try {
    const { upsertPricing: saved } = await graphql(UPSERT, { input });
    adminResult(`Saved: ${saved.provider} ${saved.modelName} costs ${saved.inputTokenCost} / ${saved.outputTokenCost} per token from ${formatTime(saved.effectiveFrom, state.zone)}, managed by ${saved.managedBy}.`, "done");
    await loadPrices();
  } catch (error) {
    adminResult(`Not saved: ${error.field ? `${error.field}: ` : ""}${error.message}`, "error");
  }
}

async function reinitialize() {
  if (!(await confirmChange("Re-initialize the default pricing from the environment prices? Rows an admin manages are left alone."))) return;
  try {
    const { initializePricing: report } = await graphql(INITIALIZE);
    const names = (rows) => rows.map((row) => `${row.provider} ${row.modelName}`).join(", ") || "none";
    adminResult(`Default pricing: created ${names(report.created)}; updated ${names(report.updated)}; unchanged ${names(report.unchanged)}; skipped (admin-managed) ${names(report.skipped)}.`, "done");
    await loadPrices();
  } catch (error) {
    adminResult(`Re-initialization failed: ${error.message}`, "error");
  }
}

export function setupPrices() {
  $("calc-form").addEventListener("submit", calculate);
  $("upsert-form").addEventListener("submit", upsert);
  $("reinit").addEventListener("click", reinitialize);
  $("versions-close").addEventListener("click", () => { $("versions").hidden = true; });
}

export function showPrices({ admin, zone }) {
  state.admin = admin;
  state.zone = zone;
  $("admin-prices").hidden = !admin;
  return loadPrices();
}
