// The MDT meeting on a shared screen: n and p go to the next and previous client on the agenda
// (not while typing in a field), and after htmx swaps the page the client's name takes the focus,
// so a screen reader announces where the meeting is.
const TYPING = new Set(["INPUT", "TEXTAREA", "SELECT"]);

document.addEventListener("keydown", (event) => {
  if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey || event.repeat) {
    return;
  }
  const target = event.target;
  if (target && (TYPING.has(target.tagName) || target.isContentEditable)) {
    return;
  }
  const which = { n: "next", p: "previous" }[event.key];
  const link = which ? document.querySelector(`a[data-meeting="${which}"]`) : null;
  if (link) {
    event.preventDefault();
    link.click();
  }
});

document.body.addEventListener("htmx:afterSettle", () => {
  const heading = document.getElementById("client-heading");
  if (heading) {
    heading.focus({ preventScroll: true });
  }
});

document.querySelectorAll("button[data-print]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});
