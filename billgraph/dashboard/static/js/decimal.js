// Exact decimal strings as the API sends them ("0.0025"). Amounts are handled as BigInt
// pico-units (1e-12), the API's precision, so nothing is ever rounded through a float.

const PLACES = 12;
const ONE = 10n ** BigInt(PLACES);
const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

export function toPico(text) {
  const match = DECIMAL.exec(String(text).trim());
  if (!match || (match[3] || "").length > PLACES) throw new Error(`not an exact decimal: ${text}`);
  const value = BigInt(match[2]) * ONE + BigInt((match[3] || "").padEnd(PLACES, "0") || "0");
  return match[1] ? -value : value;
}

export function fromPico(value) {
  const sign = value < 0n ? "-" : "";
  const size = value < 0n ? -value : value;
  const fraction = (size % ONE).toString().padStart(PLACES, "0").replace(/0+$/, "");
  return `${sign}${size / ONE}${fraction ? `.${fraction}` : ""}`;
}

export function groupDigits(digits) {
  return String(digits).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

// "$1,234.5678": every digit the API sent, grouped, with a dollar sign.
export function formatMoney(text) {
  const match = DECIMAL.exec(String(text).trim());
  if (!match) return String(text);
  return `${match[1]}$${groupDigits(match[2])}${match[3] ? `.${match[3]}` : ""}`;
}

export function formatCount(text) {
  return groupDigits(text);
}

// The share of part in total as a percentage with one decimal, rounded half up.
export function share(part, total) {
  const whole = toPico(total);
  if (whole === 0n) return "–";
  const permille = (toPico(part) * 2000n + whole) / (2n * whole);
  return `${permille / 10n}.${permille % 10n}%`;
}

export function isZero(text) {
  return toPico(text) === 0n;
}

// For drawing only: charts need floats; labels and tables never use this.
export function toNumber(text) {
  return Number(text);
}
