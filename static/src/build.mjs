// Builds static/build/ from GOV.UK Frontend and our own sources.
// Run with `npm run build`; the output is generated, never committed.
import { compile } from "sass";
import { copyFileSync, cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const out = join(root, "static", "build");
const govuk = join(root, "node_modules", "govuk-frontend", "dist", "govuk");

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const css = compile(join(here, "careprog.scss"), {
  loadPaths: [join(root, "node_modules")],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import"],
});
writeFileSync(join(out, "careprog.css"), css.css);
// The images and fonts that $govuk-assets-path ("/static/govuk/assets/") points the CSS at:
// the manifest storage of `collectstatic` refuses a CSS url() whose file was not collected.
cpSync(join(govuk, "assets"), join(out, "govuk", "assets"), { recursive: true });

copyFileSync(join(govuk, "govuk-frontend.min.js"), join(out, "govuk-frontend.min.js"));
copyFileSync(join(here, "careprog.mjs"), join(out, "careprog.mjs"));
// Charts: plotly.js's basic bundle (scatter, bar), served by us, loaded only on chart pages.
copyFileSync(
  join(root, "node_modules", "plotly.js-basic-dist-min", "plotly-basic.min.js"),
  join(out, "plotly-basic.min.js"),
);
copyFileSync(join(here, "charts.mjs"), join(out, "charts.mjs"));
copyFileSync(join(here, "upload-progress.mjs"), join(out, "upload-progress.mjs"));
copyFileSync(join(here, "unsaved-changes.mjs"), join(out, "unsaved-changes.mjs"));
copyFileSync(join(here, "job-progress.mjs"), join(out, "job-progress.mjs"));
// /api/docs/'s few rules of its own (Swagger UI's page; our CSP refuses inline styles).
copyFileSync(join(here, "api-docs.css"), join(out, "api-docs.css"));
console.log(
  `static/build: careprog.css (${css.css.length} bytes), govuk/assets/, govuk-frontend.min.js, careprog.mjs, plotly-basic.min.js, charts.mjs, upload-progress.mjs, unsaved-changes.mjs, job-progress.mjs, api-docs.css`,
);
