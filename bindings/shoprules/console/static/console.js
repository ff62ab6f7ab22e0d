// shoprules console: follows a running what-if (progress bar, then the result). No inline
// script anywhere: the Content-Security-Policy allows only this file.
"use strict";

(function () {
  const job = document.getElementById("job");
  if (!job || job.dataset.state !== "running") return;
  const bar = document.getElementById("progress");
  const text = document.getElementById("progress-text");
  const url = job.dataset.statusUrl;
  async function poll() {
    let status;
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!response.ok) throw new Error(response.status);
      status = await response.json();
    } catch (e) {
      setTimeout(poll, 1000);
      return;
    }
    if (status.state !== "running") {
      window.location.reload();
      return;
    }
    bar.value = status.fraction;
    text.textContent = status.events.toLocaleString("en") + " lines read (" +
      Math.floor(status.fraction * 100) + "%)";
    setTimeout(poll, 200);
  }
  setTimeout(poll, 100);
})();
