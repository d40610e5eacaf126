// Overview: totals, spend over time stacked by model or provider, top models and users.
import { graphql } from "./api.js";
import { formatCount, formatMoney, fromPico, isZero, share, toNumber, toPico } from "./decimal.js";
import { $, emptyRow, h, setStatus } from "./dom.js";
import { formatTime, rangeOf } from "./time.js";

const STACK_LAYERS = 6;
const QUERY = `query Overview($filter: UsageFilter!, $granularity: TimeGranularity!, $timeZone: String!,
  $stackBy: [UsageDimension!]!) {
  summary: costSummary(filter: $filter) {
    requests tokensInput tokensOutput tokensCachedInput tokensCacheWrite tokensReasoning
    costInput costOutput costTotal estimatedCostTotal
  }
  series: costTimeSeries(filter: $filter, granularity: $granularity, timeZone: $timeZone) {
    bucketStart totals { costTotal }
  }
  stacked: costReport(groupBy: $stackBy, filter: $filter, timeZone: $timeZone, first: 1000) {
    key { provider model bucketStart } totals { costTotal }
  }
  topModels: costReport(groupBy: [PROVIDER, MODEL], filter: $filter, first: 10) {
    key { provider model } totals { requests costTotal }
  }
  topUsers: costReport(groupBy: [USER], filter: $filter, first: 10) {
    key { userId } totals { requests costTotal }
  }
}`;
const COLORS = ["#1f5fa8", "#e07b00", "#2e9d5b", "#b83b5e", "#7b5ea7", "#8c6d1f", "#9aa3ad"];

let chart = null;
let resizeBound = false;

export function overviewSettings() {
  return {
    preset: $("range-preset").value,
    zone: $("time-zone").value,
    granularity: $("granularity").value,
    stackBy: $("stack-by").value,
    customFrom: $("range-from").value,
    customTo: $("range-to").value,
  };
}

function logsLink(params) {
  return `#/logs?${new URLSearchParams(params)}`;
}

function card(label, value, { money = false, exact, extra = null, className = "card", id } = {}) {
  return h("div", { class: className, id },
    h("div", { class: "label", text: label }),
    h("div", { class: "value", text: money ? formatMoney(value) : formatCount(value), dataset: { exact: exact ?? value } }),
    extra);
}

function partOf(part, whole, name) {
  return h("div", { class: "label", text: `${share(part, whole)} of ${name} tokens` });
}

function renderCards(summary, range) {
  const estimated = summary.estimatedCostTotal;
  const estimateZero = isZero(estimated);
  const link = h("a", {
    href: logsLink({ pricingSource: "BUILTIN_ESTIMATE", from: range.from.toISOString(), to: range.to.toISOString() }),
    id: "estimate-logs-link",
    text: "See the estimated logs",
  });
  // Money first, then counts; cached, cache-write and reasoning tokens follow the input
  // or output tokens they are part of.
  $("cards").replaceChildren(
    card("Spend", summary.costTotal, { money: true, id: "card-spend" }),
    card("Input spend", summary.costInput, { money: true, id: "card-cost-input" }),
    card("Output spend", summary.costOutput, { money: true, id: "card-cost-output" }),
    card("Estimated (no price known)", estimated, {
      money: true,
      id: "card-estimated",
      className: `card estimate${estimateZero ? " zero" : ""}`,
      extra: h("div", { class: "label" }, `${share(estimated, summary.costTotal)} of spend `, estimateZero ? null : link),
    }),
    card("Requests", summary.requests, { id: "card-requests" }),
    card("Input tokens", summary.tokensInput, { id: "card-tokens-input" }),
    card("Cached input tokens", summary.tokensCachedInput, {
      id: "card-tokens-cached-input", extra: partOf(summary.tokensCachedInput, summary.tokensInput, "input"),
    }),
    card("Cache-write tokens", summary.tokensCacheWrite, {
      id: "card-tokens-cache-write", extra: partOf(summary.tokensCacheWrite, summary.tokensInput, "input"),
    }),
    card("Output tokens", summary.tokensOutput, { id: "card-tokens-output" }),
    card("Reasoning tokens", summary.tokensReasoning, {
      id: "card-tokens-reasoning", extra: partOf(summary.tokensReasoning, summary.tokensOutput, "output"),
    }),
  );
}

function renderTopModels(rows, total) {
  const tbody = $("top-models").tBodies[0];
  if (!rows.length) return emptyRow(tbody, 5, "No usage in this range.");
  tbody.replaceChildren(...rows.map((row) => h("tr", {},
    h("td", { text: row.key.provider }),
    h("td", {}, h("a", { href: logsLink({ provider: row.key.provider, model: row.key.model }), text: row.key.model })),
    h("td", { class: "num", text: formatCount(row.totals.requests) }),
    h("td", { class: "num", text: formatMoney(row.totals.costTotal), dataset: { exact: row.totals.costTotal } }),
    h("td", { class: "num", text: share(row.totals.costTotal, total) }),
  )));
}

function renderTopUsers(rows, total) {
  const tbody = $("top-users").tBodies[0];
  if (!rows.length) return emptyRow(tbody, 4, "No usage in this range.");
  tbody.replaceChildren(...rows.map((row) => h("tr", {},
    h("td", {}, row.key.userId === null
      ? h("span", { class: "muted", text: "(no user)" })
      : h("a", { href: logsLink({ userId: row.key.userId }), text: row.key.userId })),
    h("td", { class: "num", text: formatCount(row.totals.requests) }),
    h("td", { class: "num", text: formatMoney(row.totals.costTotal), dataset: { exact: row.totals.costTotal } }),
    h("td", { class: "num", text: share(row.totals.costTotal, total) }),
  )));
}

// Layers of the stacked chart: the largest groups, and "other" as the exact remainder.
function layersOf(series, stacked, stackBy) {
  const index = new Map(series.map((point, i) => [Date.parse(point.bucketStart), i]));
  const byGroup = new Map();
  for (const row of stacked) {
    const name = stackBy === "PROVIDER" ? row.key.provider : row.key.model;
    const i = index.get(Date.parse(row.key.bucketStart));
    if (i === undefined) continue;
    if (!byGroup.has(name)) byGroup.set(name, { name, total: 0n, values: series.map(() => 0n) });
    const group = byGroup.get(name);
    group.values[i] += toPico(row.totals.costTotal);
    group.total += toPico(row.totals.costTotal);
  }
  const groups = [...byGroup.values()].sort((a, b) => (b.total > a.total ? 1 : b.total < a.total ? -1 : 0));
  const shown = groups.slice(0, STACK_LAYERS);
  const other = series.map((point, i) => shown.reduce((rest, group) => rest - group.values[i], toPico(point.totals.costTotal)));
  const layers = shown.map((group) => ({ name: group.name, values: group.values }));
  if (other.some((value) => value !== 0n)) layers.push({ name: "other", values: other });
  return layers;
}

function drawChart(series, layers, zone) {
  const container = $("chart");
  if (chart) { chart.destroy(); chart = null; }
  container.replaceChildren();
  if (!series.length || !layers.length) {
    container.append(h("p", { class: "muted", text: "Nothing to draw: no spend in this range." }));
    container.dataset.drawn = "empty";
    return;
  }
  const uPlot = window.uPlot;
  const xs = series.map((point) => Date.parse(point.bucketStart) / 1000);
  // Stacked areas: each layer is drawn as the running total up to it, topmost first, so
  // the lower layers paint over the upper ones. Floats are for drawing only.
  const running = [];
  let sums = xs.map(() => 0n);
  for (const layer of layers) {
    sums = sums.map((sum, i) => sum + layer.values[i]);
    running.push(sums);
  }
  const order = layers.map((_, i) => i).reverse();
  const data = [xs, ...order.map((i) => running[i].map((value) => toNumber(fromPico(value))))];
  const seriesOptions = [{ label: "Time", value: (u, ts) => (ts == null ? "" : formatTime(ts * 1000, zone)) }, ...order.map((i) => ({
    label: layers[i].name,
    stroke: COLORS[i % COLORS.length],
    fill: COLORS[i % COLORS.length],
    width: 1,
    points: { show: false },
    value: (u, v, si, idx) => (idx == null ? "" : formatMoney(fromPico(layers[i].values[idx]))),
  }))];
  chart = new uPlot({
    width: Math.max(container.clientWidth - 16, 280),
    height: 280,
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), zone),
    series: seriesOptions,
    axes: [{}, { size: 70, values: (u, ticks) => ticks.map((tick) => `$${tick}`) }],
    scales: { y: { range: (u, min, max) => [0, max > 0 ? max * 1.05 : 1] } },
  }, data, container);
  container.dataset.drawn = "chart";
  if (!resizeBound) {
    resizeBound = true;
    window.addEventListener("resize", () => {
      if (chart) chart.setSize({ width: Math.max($("chart").clientWidth - 16, 280), height: 280 });
    });
  }
}

export async function loadOverview() {
  const status = $("overview-status");
  const settings = overviewSettings();
  let range;
  try {
    range = rangeOf(settings.preset, settings.zone, settings.customFrom, settings.customTo);
  } catch (error) {
    setStatus(status, error.message, "error");
    return;
  }
  performance.mark("overview-start");
  setStatus(status, "Loading…", "loading");
  $("overview-view").dataset.state = "loading";
  const filter = { from: range.from.toISOString(), to: range.to.toISOString() };
  let data;
  try {
    data = await graphql(QUERY, {
      filter,
      granularity: settings.granularity,
      timeZone: settings.zone,
      stackBy: [settings.granularity, settings.stackBy],
    });
  } catch (error) {
    setStatus(status, `Could not load the overview: ${error.message}`, "error");
    $("overview-view").dataset.state = "error";
    return;
  }
  const { summary } = data;
  $("range-label").textContent = `${formatTime(filter.from, settings.zone)} to ${formatTime(filter.to, settings.zone)} (${settings.zone}), by ${settings.granularity.toLowerCase()}`;
  $("overview-body").hidden = false;
  Object.assign($("overview-body").dataset, filter);
  renderCards(summary, range);
  renderTopModels(data.topModels, summary.costTotal);
  renderTopUsers(data.topUsers, summary.costTotal);
  drawChart(data.series, layersOf(data.series, data.stacked, settings.stackBy), settings.zone);
  setStatus(status, summary.requests === "0" ? "No usage in this range." : "", summary.requests === "0" ? "empty" : "");
  $("overview-view").dataset.state = "ready";
  performance.measure("overview-render", "overview-start");
}
