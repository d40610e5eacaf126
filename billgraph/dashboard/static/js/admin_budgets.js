// Budgets and alerts (ADMIN): create, change and delete budgets, with the webhook
// sections below. Every change asks first and shows its result; an error names the field
// the API names and marks its input.
import { graphql } from "./api.js";
import { FieldError, clearInvalid, failed, field, input, result, resultLine, section, select, table } from "./admin_ui.js";
import { loadWebhooks, webhookSections } from "./admin_webhooks.js";
import { BUDGET_FIELDS, levelOf, periodText, progressBar, scopeText, windowText } from "./budgets.js";
import { formatMoney } from "./decimal.js";
import { $, confirmChange, emptyRow, fillSelect, h, setStatus } from "./dom.js";
import { BUDGET_MODES, BUDGET_PERIODS, PROVIDERS } from "./enums.js";
import { allZones } from "./time.js";

const LOAD = `query AdminBudgets { budgets { ${BUDGET_FIELDS} } apiKeys { id name userId } }`;
const CREATE = `mutation CreateBudget($input: CreateBudgetInput!) { createBudget(input: $input) { ${BUDGET_FIELDS} } }`;
const UPDATE = `mutation UpdateBudget($id: ID!, $input: UpdateBudgetInput!) {
  updateBudget(id: $id, input: $input) { ${BUDGET_FIELDS} } }`;
const DELETE = "mutation DeleteBudget($id: ID!) { deleteBudget(id: $id) }";
// The API's field names and the inputs that hold them.
const BUDGET_INPUTS = {
  name: "bf-name", limit: "bf-limit", period: "bf-period", mode: "bf-mode", timeZone: "bf-zone",
  anchorDay: "bf-anchor-day", anchorHour: "bf-anchor-hour", thresholds: "bf-thresholds",
  userId: "bf-user", apiKeyId: "bf-key", provider: "bf-provider", model: "bf-model",
};

const state = { zone: "UTC", built: false, editing: null, budgets: [], keyNames: new Map(), load: 0 };

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

// Budgets and the API keys (for the scope): one request.
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
  renderKeys(data.apiKeys);
  renderBudgets();
  setStatus(status, `${state.budgets.length} budget${state.budgets.length === 1 ? "" : "s"}; amounts in USD for the current window.`);
  view.dataset.state = "ready";
}

function budgetName(id) {
  const budget = state.budgets.find((candidate) => candidate.id === id);
  return budget ? `${budget.name} (#${id})` : `#${id} (deleted)`;
}

function budgetSection() {
  const budgets = section("admin-budgets", "Budgets",
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
    h("p", { class: "muted", text: "MONTH budgets start on the anchor day (29-31 start on the last day of shorter months); WEEK budgets on an ISO weekday, 1 Monday to 7 Sunday. HARD budgets refuse authorizeUsage over the limit; SOFT ones only alert." }));
  fillSelect(budgets.querySelector("#bf-period"), BUDGET_PERIODS, { selected: "MONTH" });
  fillSelect(budgets.querySelector("#bf-mode"), BUDGET_MODES, { selected: "HARD" });
  fillSelect(budgets.querySelector("#bf-zone"), allZones(), { selected: "UTC" });
  fillSelect(budgets.querySelector("#bf-provider"), PROVIDERS, { any: "any" });
  budgets.querySelector("#bf-period").addEventListener("change", syncBudgetForm);
  budgets.querySelector("#bf-scope").addEventListener("change", syncBudgetForm);
  budgets.querySelector("#budget-form").addEventListener("submit", saveBudget);
  budgets.querySelector("#budget-cancel").addEventListener("click", () => resetBudgetForm(true));
  return budgets;
}

async function loadAll() {
  await loadBudgets();
  await loadWebhooks({ zone: state.zone, budgetName });
}

export async function showAdminBudgets({ zone }) {
  state.zone = zone;
  if (!state.built) {
    $("budgets-view").replaceChildren(
      h("h1", { id: "budgets-title", text: "Budgets and alerts" }),
      h("p", { class: "muted", id: "budgets-zone" }),
      h("p", {}, h("button", { id: "budgets-refresh", type: "button", text: "Refresh" })),
      resultLine(),
      budgetSection(),
      ...webhookSections(),
    );
    $("budgets-refresh").addEventListener("click", loadAll);
    syncBudgetForm();
    state.built = true;
  }
  $("budgets-zone").textContent = `Times are in the overview's time zone (${zone}); a budget's window in its own.`;
  await loadAll();
}
