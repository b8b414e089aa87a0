// How figures read: money in minor units, rates, dates.

const digitsCache = new Map();

/** Fraction digits of an ISO 4217 currency (USD 2, JPY 0, KWD 3). */
export function currencyDigits(currency) {
  if (!digitsCache.has(currency)) {
    let digits = 2;
    try {
      digits = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions()
        .maximumFractionDigits;
    } catch {
      digits = 2;
    }
    digitsCache.set(currency, digits);
  }
  return digitsCache.get(currency);
}

export function money(minor, currency) {
  if (minor === null || minor === undefined) return "—";
  const digits = currencyDigits(currency);
  const value = minor / 10 ** digits;
  try {
    return new Intl.NumberFormat(undefined, { style: "currency", currency }).format(value);
  } catch {
    return `${currency} ${value.toFixed(digits)}`;
  }
}

/** "1,500.00" (major units) → 150000 (minor units), or NaN. */
export function toMinor(text, currency) {
  const cleaned = String(text).replace(/[\s,]/g, "");
  if (!/^\d+(\.\d+)?$/.test(cleaned)) return Number.NaN;
  return Math.round(Number(cleaned) * 10 ** currencyDigits(currency));
}

export function toMajor(minor, currency) {
  return (minor / 10 ** currencyDigits(currency)).toFixed(currencyDigits(currency));
}

export function count(n) {
  return n === null || n === undefined ? "—" : new Intl.NumberFormat().format(n);
}

export function percent(ratio, digits = 0) {
  return ratio === null || ratio === undefined ? "—" : `${(ratio * 100).toFixed(digits)} %`;
}

export function day(iso) {
  return iso ? String(iso).slice(0, 10) : "—";
}

export function time(date = new Date()) {
  return date.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

export const METRICS = {
  clicks: "Clicks",
  unique_clicks: "Unique clicks",
  conversions: "Conversions",
  revenue: "Revenue",
  posts: "Posts",
  reach: "Reach",
  engagements: "Engagements",
  creators_signed: "Creators signed",
};
