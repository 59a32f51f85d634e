// Warns before leaving a form with changes not yet sent: the browser's own "Leave site?"
// question (no custom text is shown by browsers any more). Submitting the form, by any of its
// buttons, is not leaving it. Without this script the form works as before, unwarned.
function watch(form) {
  let changed = false;
  const mark = () => {
    changed = true;
  };
  form.addEventListener("input", mark);
  form.addEventListener("change", mark);
  form.addEventListener("submit", () => {
    changed = false;
  });
  window.addEventListener("beforeunload", (event) => {
    if (!changed) return;
    event.preventDefault();
    event.returnValue = "";
  });
}

document.querySelectorAll("form[data-unsaved-warning]").forEach(watch);
