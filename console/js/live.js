// Near real time: pages poll the API while the member can see them. An HTTP API has no server push,
// and polling only a visible tab costs nothing while the console sits in the background.

export const REFRESH_MS = 5000;

/** Calls `tick` every `ms` while the tab is visible, and `onShown` (default `tick`) as soon as the
 * tab becomes visible again; returns the function that stops both. */
export function whileVisible(tick, { ms = REFRESH_MS, onShown = tick } = {}) {
  const timer = setInterval(() => {
    if (document.visibilityState === "visible") tick();
  }, ms);
  const onVisible = () => {
    if (document.visibilityState === "visible") onShown();
  };
  document.addEventListener("visibilitychange", onVisible);
  return () => {
    clearInterval(timer);
    document.removeEventListener("visibilitychange", onVisible);
  };
}
