// Budgets on the overview: the ones that apply to the signed-in key, exactly as the
// `budgets` query decides (a user-bound key sees only its own), with their progress.
import { graphql } from "./api.js";
import { formatMoney, isZero, toPico } from "./decimal.js";
import { $, h, setStatus } from "./dom.js";
import { formatTime } from "./time.js";

export const BUDGET_FIELDS = `id name userId apiKeyId provider model limit period mode timeZone
  anchorDay anchorHour thresholds
  status { windowStart windowEnd limit spent estimatedSpent reserved remaining percentUsed exceeded }`;
const QUERY = `query Budgets { budgets { ${BUDGET_FIELDS} } }`;
const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const HUNDRED = toPico("100");
let loads = 0;

// "user alice, OPENAI gpt-4o only"; keyNames maps API key ids to names where known.
export function scopeText(budget, keyNames = new Map()) {
  let who = "all usage";
  if (budget.userId !== null) who = `user ${budget.userId}`;
  else if (budget.apiKeyId !== null) who = `API key ${keyNames.get(budget.apiKeyId) ?? `#${budget.apiKeyId}`}`;
  const narrowed = [budget.provider, budget.model].filter((part) => part !== null).join(" ");
  return narrowed ? `${who}, ${narrowed} only` : who;
}

// "monthly from day 15, 09:00 Asia/Tokyo".
export function periodText(budget) {
  const at = `${String(budget.anchorHour).padStart(2, "0")}:00 ${budget.timeZone}`;
  if (budget.period === "DAY") return `daily from ${at}`;
  if (budget.period === "WEEK") return `weekly from ${WEEKDAYS[budget.anchorDay - 1]} ${at}`;
  if (budget.period === "MONTH") return `monthly from day ${budget.anchorDay}, ${at}`;
  return "lifetime (never resets)";
}

// The window in the budget's own zone, where its windows start.
export function windowText(budget) {
  const { status, timeZone } = budget;
  const start = formatTime(status.windowStart, timeZone);
  if (status.windowEnd === null) return `since ${start} (${timeZone}), no end`;
  return `${start} to ${formatTime(status.windowEnd, timeZone)} (${timeZone})`;
}

// "exceeded" over the limit, "warn" from the lowest alert threshold on, else "ok".
export function levelOf(budget) {
  if (budget.status.exceeded) return "exceeded";
  const used = toPico(budget.status.percentUsed);
  const crossed = budget.thresholds.some((threshold) => used >= toPico(String(threshold)));
  return crossed ? "warn" : "ok";
}

// A progress bar of the percentage used (capped at 100 for drawing; the text is exact).
export function progressBar(budget) {
  const percent = budget.status.percentUsed;
  const drawn = toPico(percent) > HUNDRED ? "100" : percent;
  return h("progress", {
    class: `budget-bar ${levelOf(budget)}`,
    max: "100",
    value: drawn,
    "aria-label": `${budget.name}: ${percent}% of the limit used`,
  }, `${percent}%`);
}

function figure(label, field, value, note = null) {
  return [
    h("dt", { text: label }),
    h("dd", { dataset: { field, exact: value } }, h("span", { class: "money", text: formatMoney(value) }), note),
  ];
}

function budgetCard(budget) {
  const { status } = budget;
  const level = levelOf(budget);
  const estimated = isZero(status.estimatedSpent)
    ? null
    : h("span", { class: "sub", text: `of which estimated ${formatMoney(status.estimatedSpent)}` });
  return h("article", { class: `budget ${level}`, dataset: { budgetId: budget.id, level } },
    h("h3", {},
      h("span", { text: budget.name }), " ",
      h("span", { class: "badge", title: budget.mode === "HARD" ? "authorizeUsage refuses over the limit" : "alerts only", text: budget.mode }),
      status.exceeded ? h("span", { class: "badge exceeded", text: "Exceeded" }) : null),
    h("p", { class: "muted", text: `${scopeText(budget)} · ${periodText(budget)}` }),
    progressBar(budget),
    h("p", { class: "percent" },
      h("strong", { dataset: { field: "percentUsed", exact: status.percentUsed }, text: `${status.percentUsed}%` }),
      ` of ${formatMoney(status.limit)} used`,
      budget.thresholds.length ? h("span", { class: "sub", text: `alerts at ${budget.thresholds.join("%, ")}%` }) : null),
    h("dl", { class: "details" },
      figure("Spent", "spent", status.spent, estimated),
      figure("Reserved", "reserved", status.reserved),
      figure("Remaining", "remaining", status.remaining),
      figure("Limit", "limit", status.limit),
      h("dt", { text: "Window" }),
      h("dd", { dataset: { field: "window", start: status.windowStart, end: status.windowEnd ?? "" }, text: windowText(budget) })),
  );
}

export async function loadBudgetsPanel({ admin }) {
  const panel = $("budgets-panel");
  const list = $("budgets-list");
  const status = $("budgets-status");
  const load = ++loads; // only the latest load draws: answers may arrive out of order
  panel.dataset.state = "loading";
  setStatus(status, "Loading budgets…", "loading");
  let budgets;
  try {
    ({ budgets } = await graphql(QUERY));
  } catch (error) {
    if (load !== loads) return;
    list.replaceChildren();
    setStatus(status, `Could not load the budgets: ${error.message}`, "error");
    panel.dataset.state = "error";
    return;
  }
  if (load !== loads) return;
  list.replaceChildren(...budgets.map(budgetCard));
  if (budgets.length) setStatus(status, `${budgets.length === 1 ? "1 budget applies" : `${budgets.length} budgets apply`} to this key; amounts in USD for the current window.`);
  else setStatus(status, "No budget applies to this key.", "empty");
  if (admin) status.append(" ", h("a", { href: "#/budgets", text: budgets.length ? "Manage budgets and alerts." : "Create one under Budgets." }));
  panel.dataset.state = budgets.length ? "ready" : "empty";
}
