// drive.mjs: open a lesson page in headless Chromium and check that it works.
//
//   node drive.mjs URL panels MESSAGE
//       Publish MESSAGE with the page's #publish form, then wait until every
//       <section class="panel"> shows it in its <ol class="events"> and has
//       counted at least one request.
//   node drive.mjs URL echo MESSAGE
//       Click #say-hello and wait for "hello, world" in #hello; send MESSAGE
//       with the #echo form and wait until #echoed shows it.
//
// Prints one JSON line saying what it found. Exit status 0 when the page did
// what it should and logged no error to its console, 1 otherwise. The whole
// run is bounded by 30 s. Run by tests/lesson_browser.rs; the browser is
// $CHROMIUM, or /usr/bin/chromium.

import { chromium } from "playwright-core";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const OVERALL_TIMEOUT_MS = 30_000;

const [url, mode, message] = process.argv.slice(2);
if (!url || !["panels", "echo"].includes(mode) || !message) {
  console.error("usage: node drive.mjs URL panels|echo MESSAGE");
  process.exit(2);
}

const started = Date.now();
const report = { ok: false, mode, url, message };
const consoleErrors = [];

// A fresh profile each run: no cache, no cookies, no state from a previous run.
const profile = mkdtempSync(join(tmpdir(), "realtime-chromium-"));
let context = null;

function finish(ok, extra = {}) {
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
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on("console", (msg) => {
    if (msg.type() === "error") consoleErrors.push(`console: ${msg.text()}`);
  });
  page.on("pageerror", (error) => consoleErrors.push(`page error: ${error.message}`));

  // Every wait below is bounded by the overall timeout, not by its own.
  page.setDefaultTimeout(OVERALL_TIMEOUT_MS);
  await page.goto(url, { waitUntil: "load" });

  return mode === "panels" ? panels(page) : echo(page);
}

async function panels(page) {
  const count = await page.locator("section.panel").count();
  if (count === 0) throw new Error("no <section class=\"panel\"> on the page");

  await page.fill("#publish #message", message);
  await page.click("#publish button");

  // Wait in the page itself: cheap, and it sees exactly what a reader sees.
  await page.waitForFunction(
    (text) =>
      [...document.querySelectorAll("section.panel")].every((panel) => {
        const shown = [...panel.querySelectorAll("ol.events li")].some((li) =>
          li.textContent.includes(text),
        );
        const requests = Number(panel.querySelector('[data-counter="requests"]')?.textContent);
        return shown && requests > 0;
      }),
    message,
    { polling: 100 },
  );

  const found = await page.evaluate((text) => {
    const counters = (panel) =>
      Object.fromEntries(
        [...panel.querySelectorAll("[data-counter]")].map((el) => [el.dataset.counter, el.textContent]),
      );
    return {
      published: document.querySelector("#publish output")?.textContent ?? null,
      panels: [...document.querySelectorAll("section.panel")].map((panel) => ({
        transport: panel.dataset.transport,
        id: [...panel.querySelectorAll("ol.events li")].find((li) => li.textContent.includes(text))
          ?.dataset.id,
        status: panel.querySelector("[data-status]")?.textContent ?? null,
        counters: counters(panel),
      })),
    };
  }, message);
  return found;
}

async function echo(page) {
  await page.click("#say-hello");
  await page.waitForFunction(
    () => document.querySelector("#hello")?.textContent.includes("hello, world"),
    null,
    { polling: 100 },
  );

  await page.fill("#echo #message", message);
  await page.click("#echo button");
  await page.waitForFunction(
    (text) => document.querySelector("#echoed")?.textContent.includes(text),
    message,
    { polling: 100 },
  );

  return {
    hello: await page.textContent("#hello"),
    echoed: await page.textContent("#echoed"),
  };
}

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
