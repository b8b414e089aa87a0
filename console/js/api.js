// The console's only way to the server: the public /auth and /v1 routes on the same origin.
// Every /v1 call carries the member's ID token; a 401 means the session ended: refresh once,
// else back to sign-in with a message.

import * as session from "./session.js";

export const EXPIRED = "Your session has expired; sign in again";

export class ApiError extends Error {
  constructor(status, body, retryAfter = null) {
    const info = (body && body.error) || {};
    super(info.message || (body && body.message) || `request failed (${status})`);
    this.status = status;
    this.code = info.code || null;
    this.details = Array.isArray(info.details) ? info.details : [];
    this.retryAfter = retryAfter; // seconds, from a 429's or 503's Retry-After; null without one
  }
}

/** Retry-After in seconds: the header is either a number of seconds or an HTTP date. */
function retryAfterSeconds(headers) {
  const raw = headers && headers.get("retry-after");
  if (!raw) return null;
  if (/^\d+$/.test(raw.trim())) return Number(raw.trim());
  const at = Date.parse(raw);
  return Number.isNaN(at) ? null : Math.max(0, Math.round((at - Date.now()) / 1000));
}

/** Thrown when the session is over: the page stops, the router has already moved to sign-in. */
export class SessionEnded extends Error {}

async function send(method, path, body, token, bodyType) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = bodyType || "application/json";
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : bodyType ? body : JSON.stringify(body),
    credentials: "omit",
    cache: "no-store",
  });
  let data = null;
  const type = response.headers.get("content-type") || "";
  if (response.status !== 204) data = type.includes("json") ? await response.json() : await response.text();
  return { status: response.status, data, headers: response.headers };
}

/** A public /auth call: the answer's JSON, or ApiError. */
export async function auth(path, body) {
  const { status, data } = await send("POST", `/auth/${path}`, body);
  if (status >= 400) throw new ApiError(status, data);
  return data;
}

let refreshing = null;

async function refresh() {
  const current = session.load();
  if (!current || !current.refresh_token) return false;
  refreshing ??= auth("refresh", { refresh_token: current.refresh_token })
    .then((tokens) => {
      session.store(tokens);
      return true;
    })
    .catch(() => false)
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
}

export function endSession(message = EXPIRED) {
  session.clear();
  if (message) session.flash(message);
  if (!location.hash.startsWith("#/sign-in")) location.hash = "#/sign-in";
}

/** A /v1 call as the signed-in member. With `type` ("text/csv"), `body` is sent as it is. */
export async function call(method, path, body, type) {
  let current = session.load();
  if (!current) {
    endSession();
    throw new SessionEnded();
  }
  let answer = await send(method, path, body, current.id_token, type);
  if (answer.status === 401 && (await refresh())) {
    current = session.load();
    answer = await send(method, path, body, current.id_token, type);
  }
  if (answer.status === 401) {
    endSession();
    throw new SessionEnded();
  }
  if (answer.status >= 400) throw new ApiError(answer.status, answer.data, retryAfterSeconds(answer.headers));
  return answer.data;
}

export const get = (path) => call("GET", path);

function fetchFile(path, token) {
  return fetch(path, { headers: { Authorization: `Bearer ${token}` }, credentials: "omit", cache: "no-store" });
}

/** Saves a /v1 file (a CSV) as the signed-in member: fetched with the ID token (a plain link cannot
 * send it), then handed to the browser as a Blob through a temporary <a download>. Errors as call. */
export async function download(path, filename) {
  let current = session.load();
  if (!current) {
    endSession();
    throw new SessionEnded();
  }
  let response = await fetchFile(path, current.id_token);
  if (response.status === 401 && (await refresh())) {
    current = session.load();
    response = await fetchFile(path, current.id_token);
  }
  if (response.status === 401) {
    endSession();
    throw new SessionEnded();
  }
  if (!response.ok) {
    const type = response.headers.get("content-type") || "";
    throw new ApiError(response.status, type.includes("json") ? await response.json() : null);
  }
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30_000);  // after the browser has taken the file
  return blob;
}

/** Every item of a list route, following next_cursor, at most `pages` pages. */
export async function all(path, { pages = 10, limit = 100 } = {}) {
  const items = [];
  let cursor = null;
  for (let page = 0; page < pages; page += 1) {
    const sep = path.includes("?") ? "&" : "?";
    const url = `${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
    const data = await get(url);
    items.push(...data.items);
    cursor = data.next_cursor;
    if (!cursor) return { items, more: false };
  }
  return { items, more: true };
}

export function query(params) {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") search.set(k, v);
  const text = search.toString();
  return text ? `?${text}` : "";
}
