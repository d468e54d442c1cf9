// Start the NHS.UK frontend components, and again inside whatever htmx swaps in.
import { initAll } from "../nhsuk/nhsuk-frontend.min.js";

initAll();
document.body.addEventListener("htmx:afterSwap", (event) => {
  initAll(event.detail.target);
  const summary = event.detail.target.querySelector(".nhsuk-error-summary");
  if (summary) {
    summary.focus();
  }
});
