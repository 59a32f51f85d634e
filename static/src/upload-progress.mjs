// Shows upload progress for large returns. Without this script the form posts as usual.
for (const form of document.querySelectorAll("form[data-upload-progress]")) {
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
      } else {
        document.open();
        document.write(request.responseText);
        document.close();
      }
    });
    request.addEventListener("error", () => form.submit());
    request.open("POST", form.action);
    request.send(new FormData(form));
  });
}
