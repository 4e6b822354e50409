// Starts the GOV.UK and MoJ Frontend components on every page.
import { initAll as initGovukFrontend } from "/assets/govuk-frontend.min.js";
import { initAll as initMojFrontend } from "/assets/moj-frontend.min.js";

initGovukFrontend();
initMojFrontend();
