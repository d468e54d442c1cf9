// Start the NHS.UK frontend components, and again in whatever part of the page htmx replaces
// (hx-swap="outerHTML" of an element with an id: the new element has the same id).
import { initAll } from "../nhsuk/nhsuk-frontend.min.js";

initAll();
document.body.addEventListener("htmx:afterSettle", (event) => {
  const id = event.detail.target && event.detail.target.id;
  const swapped = id ? document.getElementById(id) : null;
  if (swapped) {
    initAll(swapped);
  }
});
