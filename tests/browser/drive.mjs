// drive.mjs: open a lesson page in headless Chromium and check that it works.
//
//   node drive.mjs URL MODE MESSAGE
//
// MODE says what to check; each is a function in pages/, whose top says
// what it does:
//
//   panels     pages/panels.mjs                  the playground, lessons 2 and 3
//   echo       pages/01_http.mjs                 lesson 1
//   sse        pages/04_sse.mjs                  lesson 4
//   seven      pages/04_sse.mjs                  lesson 4's /seven
//   seven-h2   pages/04_sse.mjs                  lesson 4's /seven over HTTP/2 (lesson 9's nginx)
//   clock      pages/04_sse_clock.mjs            lesson 4's source clock, from another origin
//   handshake  pages/05_websocket_handshake.mjs  lesson 5
//   ws-echo    pages/06_websocket_echo.mjs       lesson 6
//   chat       pages/07_websocket_chat.mjs       lesson 7
//   scale-out  pages/10_scale_out.mjs            lesson 10, through nginx to three servers
//   token      pages/token.mjs                   lesson 11, the playground with --publish-token
//
// A mode is `async (page, drive) => found`: `page` is a tab open on URL,
// `drive` the few things every mode shares (below), and `found` what goes
// into the report. This file is the rest: the browser, the console, the
// deadline and the report.
//
// An https URL's certificate is accepted without checking: the tests' proxies make
// their own, self-signed. With SCREENSHOT_DIR set, it also saves PNGs of the page there.
// A mode may ask the test that runs it to act (drive.ask: lesson 10 has it kill a
// server): a line "ask QUESTION" on stdout, and the answer is the next line on stdin.
// Prints one JSON line saying what it found. Exit status 0 when the page did
// what it should and logged no error to its console, 1 otherwise. The whole
// run is bounded by 30 s. Run by tests/lesson_browser.rs, lesson_09_browser.rs
// and lesson_10_browser.rs; the browser is $CHROMIUM, or /usr/bin/chromium.

import { chromium } from "playwright-core";
import { createInterface } from "node:readline";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { panels } from "./pages/panels.mjs";
import { echo } from "./pages/01_http.mjs";
import { sse, seven, sevenOverHttp2 } from "./pages/04_sse.mjs";
import { clock } from "./pages/04_sse_clock.mjs";
import { handshake } from "./pages/05_websocket_handshake.mjs";
import { wsEcho } from "./pages/06_websocket_echo.mjs";
import { chat } from "./pages/07_websocket_chat.mjs";
import { scaleOut } from "./pages/10_scale_out.mjs";
import { token } from "./pages/token.mjs";

const OVERALL_TIMEOUT_MS = 30_000;

const [url, mode, message] = process.argv.slice(2);
const MODES = {
  panels,
  echo,
  sse,
  seven,
  "seven-h2": sevenOverHttp2,
  clock,
  handshake,
  "ws-echo": wsEcho,
  chat,
  "scale-out": scaleOut,
  token,
};
if (!url || !Object.hasOwn(MODES, mode) || !message) {
  console.error(`usage: node drive.mjs URL ${Object.keys(MODES).join("|")} MESSAGE`);
  process.exit(2);
}

const started = Date.now();
const report = { ok: false, mode, url, message };
const consoleErrors = [];
// Console errors a mode expects (a refusal it provokes on purpose), which do not count.
const expectedErrors = [];

// A fresh profile each run: no cache, no cookies, no state from a previous run.
const profile = mkdtempSync(join(tmpdir(), "realtime-chromium-"));
let context = null;

function finish(ok, extra = {}) {
  if (ok) delete report.step; // where it was, for a failure only
  Object.assign(report, extra, {
    ok: ok && consoleErrors.length === 0,
    console_errors: consoleErrors,
    elapsed_ms: Date.now() - started,
  });
  if (ok && consoleErrors.length > 0) report.error = "the page logged errors";
  console.log(JSON.stringify(report));
}

async function run() {
  context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      ...(url.startsWith("https:") ? ["--ignore-certificate-errors"] : []),
    ],
    ignoreHTTPSErrors: url.startsWith("https:"),
  });
  const page = await openTab(context.pages()[0] ?? (await context.newPage()));

  const found = await MODES[mode](page, drive);
  await shot(page, mode);
  return found;
}

// Watches `page` for console errors, and loads the URL in it.
async function openTab(page) {
  page.on("console", (msg) => {
    if (msg.type() === "error" && !expectedErrors.some((re) => re.test(msg.text()))) {
      consoleErrors.push(`console: ${msg.text()}`);
    }
  });
  page.on("pageerror", (error) => consoleErrors.push(`page error: ${error.message}`));

  // Every wait below is bounded by the overall timeout, not by its own.
  page.setDefaultTimeout(OVERALL_TIMEOUT_MS);
  await page.goto(url, { waitUntil: "load" });
  return page;
}

// A full-page PNG in $SCREENSHOT_DIR, when it is set: for a human to look at.
async function shot(page, name) {
  const dir = process.env.SCREENSHOT_DIR;
  if (dir) await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}

// Types `text` into the page's #publish form, sends it, and waits for the
// answer ("published as #N"); returns N.
async function publish(page, text) {
  report.step = "publish";
  await page.fill("#publish #message", text);
  await page.click("#publish button");
  await page.waitForFunction(
    () => /published as #\d+/.test(document.querySelector("#publish output")?.textContent ?? ""),
    null,
    { polling: 100 },
  );
  const output = await page.textContent("#publish output");
  return /#(\d+)/.exec(output)[1];
}

// Asks the test that runs this file to do something, and returns its answer:
// one line out ("ask QUESTION"), one line back. Stdin is read only from the
// first question on, so the modes that ask nothing never touch it.
let answers = null;
async function ask(question) {
  answers ??= createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  console.log(`ask ${question}`);
  const { value, done } = await answers.next();
  if (done) throw new Error(`no answer to "${question}": stdin closed`);
  return value;
}

// What every mode gets. It is passed in, not imported, so that pages/*.mjs
// import nothing from this file and this file imports them.
const drive = {
  url,
  message,
  // Where the mode is: a failure's report says the last step it reached, and
  // stderr (shown with a failure) when it reached each one.
  step(name) {
    report.step = name;
    console.error(`${Date.now() - started} ms: ${name}`);
  },
  // One more tab in the same browser (same origin, same connection pool).
  newTab: async () => openTab(await context.newPage()),
  shot,
  publish,
  ask,
  // The browser logs every 4xx answer as an error: a mode that provokes one says which.
  expectConsoleError(pattern) {
    expectedErrors.push(pattern);
  },
};

let timer;
const timeout = new Promise((_, reject) => {
  timer = setTimeout(
    () => reject(new Error(`gave up after ${OVERALL_TIMEOUT_MS} ms`)),
    OVERALL_TIMEOUT_MS,
  );
});

let ok = false;
try {
  const found = await Promise.race([run(), timeout]);
  ok = true;
  finish(true, found);
} catch (error) {
  finish(false, { error: error.message.split("\n")[0] });
} finally {
  clearTimeout(timer);
  // Closing can hang if the browser is wedged; don't let it hold the exit.
  await Promise.race([context?.close(), new Promise((r) => setTimeout(r, 5_000))]).catch(() => {});
  rmSync(profile, { recursive: true, force: true });
}
process.exit(ok && consoleErrors.length === 0 ? 0 : 1);
