// Elements are built with textContent only: API data never becomes markup.

export const $ = (id) => document.getElementById(id);

export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") element.className = value;
    else if (name === "text") element.textContent = value;
    else if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(element.dataset, value);
    else element.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

export function setStatus(element, text, kind = "") {
  element.textContent = text;
  element.hidden = !text;
  element.className = `status ${kind}`.trim();
  element.dataset.state = kind || (text ? "info" : "idle");
}

// values: strings, or { value, text } for an option whose label differs from its value.
export function fillSelect(select, values, { any = null, selected = null } = {}) {
  const options = values.map((item) => (typeof item === "string" ? { value: item, text: item } : item));
  select.replaceChildren(
    ...(any ? [h("option", { value: "", text: any })] : []),
    ...options.map(({ value, text }) => h("option", { value, text, selected: value === selected })),
  );
}

// Select `value`, adding an option for it when the list lacks it (e.g. a provider that
// was recorded but never registered, named in a link).
export function selectValue(select, value) {
  if (value && ![...select.options].some((option) => option.value === value)) {
    select.append(h("option", { value, text: value }));
  }
  select.value = value || "";
}

export function emptyRow(tbody, columns, text) {
  tbody.replaceChildren(h("tr", {}, h("td", { class: "empty", colspan: String(columns), text })));
}

// Ask before a change; resolves true when confirmed. A native <dialog>: Esc cancels.
export function confirmChange(text) {
  const dialog = $("confirm-dialog");
  $("confirm-text").textContent = text;
  return new Promise((resolve) => {
    const finish = (answer) => {
      dialog.removeEventListener("close", onClose);
      $("confirm-ok").removeEventListener("click", onOk);
      $("confirm-cancel").removeEventListener("click", onCancel);
      if (dialog.open) dialog.close();
      resolve(answer);
    };
    const onOk = () => finish(true);
    const onCancel = () => finish(false);
    const onClose = () => finish(false);
    $("confirm-ok").addEventListener("click", onOk);
    $("confirm-cancel").addEventListener("click", onCancel);
    dialog.addEventListener("close", onClose);
    dialog.showModal();
    $("confirm-cancel").focus();
  });
}
