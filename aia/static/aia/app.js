// Progressive enhancement only: every page works without this file.
// Loaded as a module after govuk-frontend.min.js, so no inline script is needed (CSP).
import { initAll, isSupported } from "../govuk/govuk-frontend.min.js";

if (isSupported()) {
  document.body.classList.add("govuk-frontend-supported");
  initAll();
}
