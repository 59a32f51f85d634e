// Shows upload progress for large returns. Without this script the form posts as usual.
import { initAll } from "./govuk-frontend.min.js";

// A page that comes back in place of a redirect (the form with its errors) replaces this
// page's <main>. Writing it over the document instead would run its inline script against
// this page's CSP nonce (refused), and would not start GOV.UK Frontend again, so the error
// summary would not take focus; the form would lose this script too.
function showInPlace(html) {
  const next = new DOMParser().parseFromString(html, "text/html");
  const main = next.querySelector("main");
  const current = document.querySelector("main");
  if (!main || !current) return false;
  const adopted = document.adoptNode(main);
  current.replaceWith(adopted);
  document.title = next.title;
  adopted.querySelectorAll("form[data-upload-progress]").forEach(enhance);
  initAll(adopted);
  return true;
}

function enhance(form) {
  form.addEventListener("submit", (event) => {
    const input = form.querySelector("input[type=file]");
    if (!input || !input.files.length || !window.XMLHttpRequest) return;
    event.preventDefault();
    const box = form.querySelector(".app-upload-progress");
    const bar = box.querySelector("progress");
    const status = box.querySelector("[data-upload-status]");
    box.hidden = false;
    const request = new XMLHttpRequest();
    request.upload.addEventListener("progress", (progress) => {
      if (!progress.lengthComputable) return;
      const percent = Math.round((progress.loaded / progress.total) * 100);
      bar.value = percent;
      bar.textContent = `${percent}%`;
      status.textContent = percent < 100 ? `Uploaded ${percent}%` : "Checking the return…";
    });
    request.addEventListener("load", () => {
      if (request.responseURL && request.responseURL !== form.action) {
        window.location.assign(request.responseURL);
      } else if (!showInPlace(request.responseText)) {
        form.submit();
      }
    });
    request.addEventListener("error", () => form.submit());
    request.open("POST", form.action);
    request.send(new FormData(form));
  });
}

document.querySelectorAll("form[data-upload-progress]").forEach(enhance);
