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

// The search boxes (the header's, and the search page's own): without this script each is a
// plain form that opens the results page. With it, each is an ARIA combobox (the WAI-ARIA
// Authoring Practices' pattern, with a listbox): it asks the server for the best matches as
// you type, a moment after the last key; up and down move through them, Enter opens the one
// chosen (with none chosen, Enter searches as without script), Escape closes the list, and a
// live region says how many were found. Written here rather than with accessible-autocomplete,
// which keeps Enter from submitting the form while its list is open (its issue 156).
const QUIET_MS = 250;
const SHORTEST = 2;

const searchBox = (form) => {
  const input = form.querySelector("input[name=q]");
  const status = form.querySelector("[data-search-status]");
  const listbox = document.createElement("ul");
  listbox.id = `${input.id}-options`;
  listbox.className = "planner-search__options";
  listbox.setAttribute("role", "listbox");
  listbox.setAttribute("aria-label", "Cases and people found");
  listbox.hidden = true;
  input.after(listbox);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", listbox.id);
  input.setAttribute("aria-expanded", "false");

  let options = [];
  let active = -1;
  let timer = null;
  let asking = null;

  const mark = (index) => {
    active = index;
    options.forEach((option, at) => option.setAttribute("aria-selected", String(at === index)));
    if (index >= 0) {
      input.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  };
  const open = () => {
    // Under the box, as wide as it: the page's layout decides where the box is.
    listbox.style.left = `${input.offsetLeft}px`;
    listbox.style.top = `${input.offsetTop + input.offsetHeight}px`;
    listbox.style.minWidth = `${input.offsetWidth}px`;
    listbox.hidden = false;
    input.setAttribute("aria-expanded", "true");
  };
  const close = () => {
    mark(-1);
    listbox.hidden = true;
    input.setAttribute("aria-expanded", "false");
  };
  const say = (words) => {
    if (status.textContent !== words) {
      status.textContent = words;
    }
  };
  const optionFor = (found, at) => {
    const option = document.createElement("li");
    option.id = `${listbox.id}-${at}`;
    option.className = "planner-search__option";
    option.setAttribute("role", "option");
    option.setAttribute("aria-selected", "false");
    option.dataset.href = found.href;
    // Text, never markup: a name is shown exactly as it was typed.
    const name = document.createElement("span");
    name.className = "planner-search__name";
    name.textContent = found.text;
    const detail = document.createElement("span");
    detail.className = "planner-search__detail";
    detail.textContent = found.detail;
    option.append(name, " ", detail);
    return option;
  };
  const show = (answer) => {
    listbox.replaceChildren(...answer.options.map(optionFor));
    options = [...listbox.children];
    mark(-1);
    if (options.length && document.activeElement === input) {
      open();
    } else {
      close();
    }
    say(answer.said);
  };
  const ask = async () => {
    const typed = input.value.trim();
    asking?.abort();
    if (typed.length < SHORTEST) {
      close();
      options = [];
      say("");
      return;
    }
    asking = new AbortController();
    try {
      const address = `${form.dataset.searchSuggestions}?q=${encodeURIComponent(typed)}`;
      const response = await fetch(address, { headers: { Accept: "application/json" }, signal: asking.signal });
      if (response.ok && response.headers.get("Content-Type")?.startsWith("application/json")) {
        const answer = await response.json();
        if (input.value.trim() === typed) {
          show(answer);
        }
      }
    } catch {
      // Asked again since, or the connection went: the results page still answers.
    }
  };
  const go = (option) => window.location.assign(option.dataset.href);

  input.addEventListener("input", () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, QUIET_MS);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!options.length) {
        return;
      }
      event.preventDefault();
      if (listbox.hidden) {
        open();
      }
      const step = event.key === "ArrowDown" ? 1 : -1;
      const last = options.length - 1;
      const next = active === -1 ? (step === 1 ? 0 : last) : active + step;
      mark(next < 0 ? last : next > last ? 0 : next);
    } else if (event.key === "Enter" && !listbox.hidden && active >= 0) {
      event.preventDefault();
      go(options[active]);
    } else if (event.key === "Escape" && !listbox.hidden) {
      event.preventDefault();
      close();
    }
  });
  input.addEventListener("blur", close);
  // Pressing an option keeps the focus in the box, so that its blur does not close the list first.
  listbox.addEventListener("mousedown", (event) => event.preventDefault());
  listbox.addEventListener("click", (event) => {
    const option = event.target.closest("[role=option]");
    if (option) {
      go(option);
    }
  });
};

document.querySelectorAll("[data-search-suggestions]").forEach(searchBox);
