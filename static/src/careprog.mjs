// Starts GOV.UK Frontend's components; the page works without it.
import { initAll } from "./govuk-frontend.min.js";

initAll();
