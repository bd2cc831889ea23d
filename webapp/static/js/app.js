// Learnloop's only script beyond htmx: keep the CSRF token fresh for htmx requests after a swap
// replaced the body attribute (it is set once in the page; htmx reads it on every request).
document.addEventListener("htmx:configRequest", (event) => {
  const meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) event.detail.headers["X-CSRFToken"] = meta.content;
});

// A request that failed (a form that expired, a database that is restarting, an error on our side) answers
// with an error panel marked by the X-Request-Failed header. It goes just before the form that sent the
// request, not in its place, so whatever the person typed stays there to send again.
function errorSlotBefore(detail) {
  // detail.elt is where the event fired (the swap target); the form is the element that sent the request.
  const source = (detail.requestConfig && detail.requestConfig.elt) || detail.elt;
  const form = source.closest("form") || source;
  let slot = form.previousElementSibling;
  if (!slot || !slot.classList.contains("request-error")) {
    slot = document.createElement("div");
    slot.className = "request-error";
    form.before(slot);
  }
  return slot;
}

document.addEventListener("htmx:beforeSwap", (event) => {
  if (!event.detail.xhr.getResponseHeader("X-Request-Failed")) return;
  event.detail.target = errorSlotBefore(event.detail);
  event.detail.swapOverride = "innerHTML";
});

// No answer at all (the connection dropped): say so in the same place.
document.addEventListener("htmx:sendError", (event) => {
  const message = document.createElement("p");
  message.className = "form-error";
  message.setAttribute("role", "alert");
  message.textContent = "Learnloop could not be reached. Check your connection and send again.";
  errorSlotBefore(event.detail).replaceChildren(message);
});

// The navigation is a <details> menu on a phone; wide screens show it open (CSS does so where it can).
const navMenu = document.querySelector(".nav-menu");
if (navMenu && !CSS.supports("selector(::details-content)") && matchMedia("(min-width: 1024px)").matches) navMenu.open = true;

// A completed mission comes back as a new card with its celebration: keep keyboard focus on that card (the
// button that sent the form is gone) and count the points up, unless the person asked for less motion.
const calm = matchMedia("(prefers-reduced-motion: reduce)");
function countUp(element) {
  const target = Number(element.dataset.to);
  if (calm.matches || !(target > 0)) return;
  const started = performance.now();
  const step = (now) => {
    const share = Math.min(1, (now - started) / 700);
    element.textContent = String(Math.round(target * share));
    if (share < 1) requestAnimationFrame(step);
  };
  element.textContent = "0";
  requestAnimationFrame(step);
}
document.addEventListener("htmx:load", (event) => {
  const card = event.detail.elt;
  if (!card.matches || !card.matches(".mission-card")) return;
  const lost = !document.activeElement || document.activeElement === document.body || !document.activeElement.isConnected;
  if (lost) (card.querySelector(".celebration") || card.querySelector("summary")).focus({ preventScroll: true });
  card.querySelectorAll(".count-up").forEach(countUp);
});

// A link to one mission (from the dashboard) opens its card.
function openLinkedMission() {
  const target = location.hash && document.getElementById(location.hash.slice(1));
  const details = target && target.matches(".mission-card") && target.querySelector("details");
  if (details) details.open = true;
}
openLinkedMission();
addEventListener("hashchange", openLinkedMission);
