// Sign-in, navigation between the views, and the shared settings.
import { showAdminBudgets } from "./admin_budgets.js";
import { forgetKey, graphql, restoreKey, useKey, whenUnauthenticated } from "./api.js";
import { loadBudgetsPanel } from "./budgets.js";
import { $, fillSelect } from "./dom.js";
import { PRICING_SOURCES, PROVIDERS } from "./enums.js";
import { filterFromQuery, setupLogs, showLogs } from "./logs.js";
import { loadOverview } from "./overview.js";
import { setupPrices, showPrices } from "./prices.js";
import { allZones, browserZone } from "./time.js";

const VIEWS = ["signin", "overview", "logs", "prices", "budgets"];
const session = { signedIn: false, admin: false };

function show(view) {
  for (const name of VIEWS) $(`${name}-view`).hidden = name !== view;
  for (const link of document.querySelectorAll("#nav a")) {
    if (link.dataset.view === view) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  document.title = `billgraph · ${view === "signin" ? "sign in" : view}`;
}

function signInMessage(error) {
  if (error.code === "UNAUTHENTICATED") return `This API key was not accepted: ${error.message}. Check that you pasted the whole key and that it has not been revoked.`;
  if (error.code === "FORBIDDEN") return "This API key cannot read usage: sign in with a READ or ADMIN key.";
  return `Could not sign in: ${error.message}`;
}

function showSignIn(message = "") {
  session.signedIn = false;
  $("nav").hidden = true;
  $("sign-out").hidden = true;
  $("who").textContent = "";
  $("signin-error").textContent = message;
  $("signin-error").hidden = !message;
  show("signin");
  $("api-key").value = "";
  $("api-key").focus();
}

async function signIn(key) {
  useKey(key);
  whenUnauthenticated(() => {});
  try {
    await graphql("query SignIn { costSummary { requests } }");
  } catch (error) {
    forgetKey();
    showSignIn(signInMessage(error));
    return;
  }
  session.admin = await graphql("query IsAdmin { apiKeys { id } }").then(() => true, () => false);
  session.signedIn = true;
  whenUnauthenticated((error) => {
    forgetKey();
    showSignIn(signInMessage(error));
  });
  $("who").textContent = session.admin ? "Signed in with an ADMIN key" : "Signed in with a READ key";
  $("nav").hidden = false;
  $("nav-budgets").hidden = !session.admin;
  $("sign-out").hidden = false;
  route();
}

function route() {
  if (!session.signedIn) return;
  const [path, query = ""] = location.hash.replace(/^#/, "").split("?");
  const zone = $("time-zone").value;
  if (path === "/logs") {
    show("logs");
    showLogs(filterFromQuery(query), zone);
  } else if (path === "/prices") {
    show("prices");
    showPrices({ admin: session.admin, zone });
  } else if (path === "/budgets" && session.admin) {
    show("budgets");
    showAdminBudgets({ zone });
  } else {
    show("overview");
    loadOverview();
    loadBudgetsPanel({ admin: session.admin });
  }
}

function setupOverviewControls() {
  const zone = browserZone();
  fillSelect($("time-zone"), allZones(), { selected: zone });
  if ($("time-zone").value !== zone) $("time-zone").value = "UTC";
  const preset = $("range-preset");
  const syncCustom = () => {
    for (const label of document.querySelectorAll(".custom-range")) label.hidden = preset.value !== "custom";
    $("granularity").value = preset.value === "today" ? "HOUR" : "DAY";
  };
  preset.addEventListener("change", syncCustom);
  syncCustom();
  $("range-form").addEventListener("submit", (event) => {
    event.preventDefault();
    loadOverview();
    loadBudgetsPanel({ admin: session.admin });
  });
}

function setup() {
  fillSelect($("f-provider"), PROVIDERS, { any: "any" });
  fillSelect($("f-source"), PRICING_SOURCES, { any: "any" });
  fillSelect($("calc-provider"), PROVIDERS, { selected: "HUGGINGFACE" });
  fillSelect($("up-provider"), PROVIDERS, { selected: "OPENAI" });
  setupOverviewControls();
  setupLogs();
  setupPrices();
  $("signin-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const key = $("api-key").value.trim();
    $("api-key").value = "";
    if (key) signIn(key);
  });
  $("sign-out").addEventListener("click", () => {
    // A fresh page: nothing the key could see stays in memory or on screen.
    forgetKey();
    location.replace("/");
  });
  window.addEventListener("hashchange", route);
  $("boot").hidden = true;
  const key = restoreKey();
  if (key) signIn(key);
  else showSignIn("");
}

setup();
