// Learnloop's only script beyond htmx: keep the CSRF token fresh for htmx requests after a swap
// replaced the body attribute (it is set once in the page; htmx reads it on every request).
document.addEventListener("htmx:configRequest", (event) => {
  const meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) event.detail.headers["X-CSRFToken"] = meta.content;
});
