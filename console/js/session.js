// The signed-in member's tokens, kept in sessionStorage: gone when the tab closes, never in
// localStorage (shared by every tab and kept for good) and never in a URL.

const KEY = "roster.session";
const FLASH = "roster.flash";

export function load() {
  try {
    const raw = sessionStorage.getItem(KEY);
    const session = raw ? JSON.parse(raw) : null;
    return session && typeof session.id_token === "string" ? session : null;
  } catch {
    return null;
  }
}

export function save(session) {
  sessionStorage.setItem(KEY, JSON.stringify(session));
}

/** Stores what a sign-in or refresh answered, keeping the refresh token a refresh does not repeat. */
export function store(tokens, extra = {}) {
  const previous = load() || {};
  const session = {
    ...previous,
    ...extra,
    id_token: tokens.id_token,
    access_token: tokens.access_token,
    refresh_token: tokens.refresh_token || previous.refresh_token,
    expires_at: Date.now() + (Number(tokens.expires_in) || 3600) * 1000,
  };
  save(session);
  return session;
}

export function clear() {
  sessionStorage.removeItem(KEY);
}

/** A message for the sign-in page to show once (e.g. why the member was sent there). */
export function flash(message) {
  sessionStorage.setItem(FLASH, message);
}

export function takeFlash() {
  const message = sessionStorage.getItem(FLASH);
  sessionStorage.removeItem(FLASH);
  return message;
}
