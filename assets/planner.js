// Starts the GOV.UK and MoJ Frontend components on every page.
import { initAll as initGovukFrontend } from "/assets/govuk-frontend.min.js";
import { initAll as initMojFrontend } from "/assets/moj-frontend.min.js";

initGovukFrontend();
initMojFrontend();

// Follows a job on its progress page: announces each step in its live region, and shows the
// page again once the job has ended. Without this script the page has a "Check again" link.
const job = document.querySelector("[data-job-status]");
if (job) {
  const said = job.querySelector("[data-job-progress]");
  job.querySelector(".planner-check-again").hidden = true;
  const follow = async () => {
    try {
      const response = await fetch(job.dataset.jobStatus, { headers: { Accept: "application/json" } });
      if (response.ok) {
        const status = await response.json();
        if (!status.active) {
          window.location.assign(status.page);
          return;
        }
        const words = status.status === "queued" ? "Waiting for a job worker to start it" : status.progress || "Starting";
        if (said.textContent !== words) {
          said.textContent = words;
        }
      }
    } catch {
      // The connection came and went: look again at the next turn.
    }
    window.setTimeout(follow, 2000);
  };
  window.setTimeout(follow, 2000);
}
