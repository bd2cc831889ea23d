// First sign-in: tell the server the browser's time zone, once, until the person chooses one on their
// profile. Without JavaScript nothing happens and the profile's list does the job.
(() => {
  const script = document.getElementById("timezone-detect");
  const meta = document.querySelector('meta[name="csrf-token"]');
  let zone;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (error) { return; }
  if (!script || !meta || !zone) return;
  const body = new URLSearchParams({ timezone: zone });
  fetch(script.dataset.url, { method: "POST", body, headers: { "X-CSRFToken": meta.content }, credentials: "same-origin" })
    .then((response) => { if (response.ok) script.dataset.done = "true"; })
    .catch(() => {});
})();
