// Keeps a waiting page's message current while a background job runs (careprog.jobs), and
// reloads the page once the job has finished, so the result (a download, a preview) shows.
// Without this script the page offers "Check again", a link to itself.
const EVERY_MS = 2000;
const GIVE_UP_MS = 15 * 60 * 1000;

function watch(box) {
  const url = box.dataset.jobStatus;
  const message = box.querySelector("[data-job-message]");
  const started = Date.now();
  async function look() {
    if (Date.now() - started > GIVE_UP_MS) return;
    try {
      const answer = await fetch(url, { headers: { Accept: "application/json" } });
      if (answer.ok) {
        const job = await answer.json();
        if (job.finished) {
          window.location.reload();
          return;
        }
        if (message.textContent !== job.message) message.textContent = job.message;
      }
    } catch {
      // The network dropped for a moment: look again at the next tick.
    }
    window.setTimeout(look, EVERY_MS);
  }
  window.setTimeout(look, EVERY_MS);
}

document.querySelectorAll("[data-job-status]").forEach(watch);
