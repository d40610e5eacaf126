// Calendar arithmetic in an IANA time zone with the browser's Intl data only.

export function browserZone() {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

export function allZones() {
  const zones = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  return zones.includes("UTC") ? zones : ["UTC", ...zones];
}

const formatters = new Map();
function formatterOf(zone) {
  if (!formatters.has(zone)) {
    formatters.set(zone, new Intl.DateTimeFormat("en-US", {
      timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", second: "2-digit",
    }));
  }
  return formatters.get(zone);
}

export function zonedParts(date, zone) {
  const parts = {};
  for (const part of formatterOf(zone).formatToParts(date)) parts[part.type] = part.value;
  return {
    year: Number(parts.year), month: Number(parts.month), day: Number(parts.day),
    hour: Number(parts.hour), minute: Number(parts.minute), second: Number(parts.second),
  };
}

function offsetMs(utcMs, zone) {
  const p = zonedParts(new Date(utcMs), zone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(utcMs / 1000) * 1000;
}

// The instant a wall-clock time in `zone` names (month is 1-based; overflow is fine).
export function zonedToUtc(zone, year, month, day, hour = 0, minute = 0) {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  const first = wall - offsetMs(wall, zone);
  return new Date(wall - offsetMs(first, zone));
}

function parseDate(text) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text || "");
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : null;
}

// [from, to) of a range preset in `zone`; custom ranges use inclusive dates.
export function rangeOf(preset, zone, customFrom, customTo, now = new Date()) {
  const t = zonedParts(now, zone);
  switch (preset) {
    case "today":
      return { from: zonedToUtc(zone, t.year, t.month, t.day), to: zonedToUtc(zone, t.year, t.month, t.day + 1) };
    case "month":
      return { from: zonedToUtc(zone, t.year, t.month, 1), to: zonedToUtc(zone, t.year, t.month + 1, 1) };
    case "lastmonth":
      return { from: zonedToUtc(zone, t.year, t.month - 1, 1), to: zonedToUtc(zone, t.year, t.month, 1) };
    case "custom": {
      const start = parseDate(customFrom);
      const end = parseDate(customTo);
      if (!start || !end) throw new Error("Choose both dates of the custom range.");
      const range = { from: zonedToUtc(zone, ...start), to: zonedToUtc(zone, end[0], end[1], end[2] + 1) };
      if (range.to <= range.from) throw new Error("The custom range must end on or after its start.");
      return range;
    }
    default:
      return { from: zonedToUtc(zone, t.year, t.month, t.day - 6), to: zonedToUtc(zone, t.year, t.month, t.day + 1) };
  }
}

const pad = (n) => String(n).padStart(2, "0");

// "2026-12-04 13:05:09" in `zone`.
export function formatTime(iso, zone) {
  const p = zonedParts(new Date(iso), zone);
  return `${p.year}-${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`;
}

// A datetime-local value ("2026-12-04T13:05") read in `zone`, or null when empty.
export function fromLocalInput(value, zone) {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value || "");
  if (!match) return null;
  const [year, month, day, hour, minute] = match.slice(1).map(Number);
  return zonedToUtc(zone, year, month, day, hour, minute);
}

export function toLocalInput(iso, zone) {
  const p = zonedParts(new Date(iso), zone);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}`;
}
