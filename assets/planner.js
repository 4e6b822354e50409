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

// Warns a signed-in person before the idle time-out and lets them stay signed in. The server
// decides: it refuses any request after the limit, with this script or without it.
const timeout = document.querySelector("[data-sign-out-after]");
if (timeout && typeof timeout.showModal === "function") {
  const limit = Number(timeout.dataset.signOutAfter) * 1000;
  const warning = Number(timeout.dataset.warnBefore) * 1000;
  // A little after the server's limit, so that the page asked for is refused, not a new use.
  const margin = 2000;
  const countdown = timeout.querySelector("[data-countdown]");
  const stay = timeout.querySelector("[data-stay-signed-in]");
  let deadline = Date.now() + limit;
  const counted = (count, unit) => `${count} ${unit}${count === 1 ? "" : "s"}`;
  const inWords = (left) => {
    const seconds = Math.max(1, Math.ceil(left / 1000));
    return seconds >= 60 ? counted(Math.ceil(seconds / 60), "minute") : counted(seconds, "second");
  };
  // Asking the page again after the limit shows the sign-in page and why.
  const signedOut = () => window.location.assign(window.location.href);
  const staySignedIn = async () => {
    try {
      const response = await fetch(stay.action, { method: "POST", body: new FormData(stay), redirect: "manual" });
      if (response.status === 204) {
        deadline = Date.now() + limit;
        timeout.close();
        return;
      }
    } catch {
      // No answer: the page asked for next says whether the session lasted.
    }
    signedOut();
  };
  stay.addEventListener("submit", (event) => {
    event.preventDefault();
    staySignedIn();
  });
  // Escape closes the warning, which means carrying on.
  timeout.addEventListener("cancel", (event) => {
    event.preventDefault();
    staySignedIn();
  });
  // Checked every second against the clock: a page in a background tab may be woken late.
  const check = () => {
    const left = deadline - Date.now();
    if (left <= -margin) {
      signedOut();
      return;
    }
    if (left <= warning) {
      const words = inWords(Math.max(left, 0));
      if (countdown.textContent !== words) {
        countdown.textContent = words;
      }
      if (!timeout.open) {
        timeout.showModal();
      }
    }
    window.setTimeout(check, 1000);
  };
  window.setTimeout(check, 1000);
}
