// Checks that the Mermaid charts sprintbot writes are valid, by rendering
// them with mermaid-cli in a headless chromium: the same library GitHub uses
// to draw ```mermaid blocks, so a chart that renders here renders there.
//
//   node tools/mermaid/validate-chart.mjs FILE [--png OUT.png]
//
// FILE is Markdown (every ```mermaid block in it is checked) or a bare chart.
// --png also draws the first chart to OUT.png, to look at it.
//
// Exit 0: every chart is valid. 1: a chart is not (Mermaid's parse error is
// printed). 2: the tooling cannot run (what to install is printed).
//
// The browser is never downloaded (.puppeteerrc.cjs): it is
// PUPPETEER_EXECUTABLE_PATH, else the first of chromium, chromium-browser,
// google-chrome found on PATH (Debian: apt-get install -y chromium).

import { accessSync, constants, readFileSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";

const SETUP = 2;
const INVALID = 1;

function fail(code, message) {
  console.error(message);
  process.exit(code);
}

const args = process.argv.slice(2);
const pngAt = args.indexOf("--png");
const png = pngAt >= 0 ? args[pngAt + 1] : undefined;
const files = args.filter((_, i) => pngAt < 0 || (i !== pngAt && i !== pngAt + 1));
if (files.length !== 1 || (pngAt >= 0 && !png)) {
  fail(SETUP, "usage: node tools/mermaid/validate-chart.mjs FILE [--png OUT.png]");
}

let mermaidCli;
try {
  mermaidCli = await import("@mermaid-js/mermaid-cli");
} catch (e) {
  fail(SETUP, `mermaid-cli is not installed (${e.code ?? e.message}): run \`PUPPETEER_SKIP_DOWNLOAD=1 npm ci --prefix tools/mermaid\``);
}
const puppeteer = (await import("puppeteer")).default;

function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findBrowser() {
  const named = process.env.PUPPETEER_EXECUTABLE_PATH;
  if (named) return executable(named) ? named : undefined;
  const dirs = (process.env.PATH ?? "").split(delimiter).filter(Boolean);
  for (const name of ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]) {
    for (const dir of dirs) {
      const path = join(dir, name);
      if (executable(path)) return path;
    }
  }
  return undefined;
}

/** The charts of a file: each ```mermaid block, or the whole file. */
function charts(text) {
  const found = [];
  const fence = /^```mermaid[ \t]*\r?\n([\s\S]*?)^```[ \t]*$/gm;
  for (const m of text.matchAll(fence)) {
    const line = text.slice(0, m.index).split("\n").length + 1;
    found.push({ line, source: m[1] });
  }
  if (found.length === 0 && !text.includes("```")) found.push({ line: 1, source: text });
  return found;
}

const file = files[0];
let text;
try {
  text = readFileSync(file, "utf8");
} catch (e) {
  fail(SETUP, `cannot read ${file}: ${e.message}`);
}
const found = charts(text);
if (found.length === 0) fail(INVALID, `${file}: no \`\`\`mermaid block found`);

const browserPath = findBrowser();
if (!browserPath) {
  fail(SETUP, "no chromium to render with: apt-get install -y chromium (or set PUPPETEER_EXECUTABLE_PATH)");
}
const browser = await puppeteer.launch({
  executablePath: browserPath,
  headless: true,
  args: ["--no-sandbox", "--headless"],
});

let bad = 0;
try {
  for (const [i, chart] of found.entries()) {
    const wantPng = png && i === 0;
    try {
      const { data } = await mermaidCli.renderMermaid(browser, chart.source, wantPng ? "png" : "svg", {
        mermaidConfig: { theme: "default" },
        backgroundColor: "white",
      });
      if (wantPng) {
        writeFileSync(png, data);
      } else if (Buffer.from(data).toString("utf8").includes("Syntax error in text")) {
        throw new Error("Mermaid drew its syntax-error picture");
      }
      console.log(`${file}:${chart.line}: valid Mermaid`);
    } catch (e) {
      bad += 1;
      const first = String(e?.message ?? e).split("\n").slice(0, 4).join("\n");
      console.error(`${file}:${chart.line}: invalid Mermaid:\n${first}`);
    }
  }
} finally {
  await browser.close();
}
process.exit(bad === 0 ? 0 : INVALID);
