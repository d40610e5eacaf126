// Shared pieces of the admin view of budgets and webhooks: form fields, tables, and the
// one result line every change reports to (an error names the field the API names).
import { $, h, setStatus } from "./dom.js";

export class FieldError extends Error {
  constructor(field, message) {
    super(message);
    this.field = field;
  }
}

export const input = (id, props = {}) => h("input", { id, spellcheck: "false", autocomplete: "off", ...props });
export const select = (id) => h("select", { id });

export function field(label, control, props = {}) {
  return h("label", props, label, control);
}

// headers: [text, numeric?]; an empty text is the actions column.
export function table(id, headers) {
  return h("div", { class: "table-wrap" }, h("table", { id },
    h("thead", {}, h("tr", {}, ...headers.map(([text, num]) => h("th", { scope: "col", class: num ? "num" : null },
      text ? text : h("span", { class: "sr-only", text: "Actions" }))))),
    h("tbody")));
}

export function section(id, title, ...children) {
  return h("section", { "aria-labelledby": `${id}-title` }, h("h2", { id: `${id}-title`, text: title }), ...children);
}

export function resultLine() {
  return h("p", { id: "budgets-result", class: "status", role: "status", tabindex: "-1", hidden: true });
}

// A change's outcome; after a success the focus moves to it (the button may be gone).
export function result(text, kind) {
  setStatus($("budgets-result"), text, kind);
  if (kind === "done") $("budgets-result").focus();
}

export function clearInvalid() {
  for (const element of $("budgets-view").querySelectorAll("[aria-invalid]")) element.removeAttribute("aria-invalid");
}

// "thresholds[1]" or "input.limit" -> the input of that field, marked and focused.
function markInvalid(fieldName, inputs) {
  const name = String(fieldName || "").replace(/\[\d+\]/g, "").split(".").pop();
  const id = inputs[name];
  if (!id) return;
  $(id).setAttribute("aria-invalid", "true");
  $(id).focus();
}

// inputs maps the API's field names to the ids of the inputs that hold them.
export function failed(prefix, error, inputs = {}) {
  result(`${prefix}: ${error.field ? `${error.field}: ` : ""}${error.message}`, "error");
  markInvalid(error.field, inputs);
}
