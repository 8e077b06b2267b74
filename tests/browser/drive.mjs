// drive.mjs: open a lesson page in headless Chromium and check that it works.
//
//   node drive.mjs URL panels MESSAGE
//       Publish MESSAGE with the page's #publish form, then wait until every
//       <section class="panel"> shows it in its <ol class="events"> and has
//       counted at least one request.
//   node drive.mjs URL echo MESSAGE
//       Click #say-hello and wait for "hello, world" in #hello; send MESSAGE
//       with the #echo form and wait until #echoed shows it.
//   node drive.mjs URL sse MESSAGE
//       Wait for the SSE panel to be open and the #clock tile to show a time;
//       publish MESSAGE and wait until the panel shows it. Reports the id the
//       publish answer gave ("published as #N") and the panel's last event ID.
//   node drive.mjs URL seven MESSAGE
//       Click #open-seven and wait until 6 [data-stream] boxes are open and
//       one is stalled; wait 500 ms more and read the states again. Click
//       #share-one, wait for [data-shared-state="open"], publish MESSAGE and
//       wait until the "message" box shows it and a ticker box counts events.
//   node drive.mjs URL handshake MESSAGE
//       Click #connect, wait for #state to be "open", send MESSAGE with the
//       #send form and wait until #echoes shows it back. Reports
//       socket.extensions and socket.protocol as the page shows them.
//   node drive.mjs URL ws-echo MESSAGE
//       Wait for #state "open"; send MESSAGE with #send-text, then random
//       bytes with #send-binary (300 and 70000: the 16-bit and the 64-bit
//       length forms), and wait for the three echoes in #log; click #close
//       and wait for the CloseEvent's code in #closed.
//   node drive.mjs URL chat MESSAGE
//       Two tabs, A and B, in one browser context, both open on /ws. A sends
//       "ana: MESSAGE"; POST /publish (fetch, from node) sends
//       "server: MESSAGE"; both must show both, with the same data-id. Then
//       a third tab C joins and must show both from the history.
//
// With SCREENSHOT_DIR set, it also saves PNGs of the page there.
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
const MODES = { panels, echo, sse, seven, handshake, "ws-echo": wsEcho, chat };
if (!url || !Object.hasOwn(MODES, mode) || !message) {
  console.error(`usage: node drive.mjs URL ${Object.keys(MODES).join("|")} MESSAGE`);
  process.exit(2);
}

const started = Date.now();
const report = { ok: false, mode, url, message };
const consoleErrors = [];

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
    ],
  });
  const page = await openTab(context.pages()[0] ?? (await context.newPage()));

  const found = await MODES[mode](page);
  await shot(page, mode);
  return found;
}

// Watches `page` for console errors, and loads the URL in it.
async function openTab(page) {
  page.on("console", (msg) => {
    if (msg.type() === "error") consoleErrors.push(`console: ${msg.text()}`);
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

async function sse(page) {
  const panel = 'section.panel[data-transport="sse"]';
  report.step = "wait for the stream to open";
  await page.waitForSelector(`${panel}[data-state="open"]`);
  // The clock stream replays its newest event at once, then one a second.
  report.step = "wait for the clock";
  await page.waitForFunction(
    () => /^\d\d:\d\d:\d\d$/.test(document.querySelector("#clock [data-clock]")?.textContent ?? ""),
    null,
    { polling: 100 },
  );

  const publishedId = await publish(page, message);
  report.step = "wait for the message on the panel";
  await page.waitForFunction(
    ([selector, text]) =>
      [...document.querySelectorAll(`${selector} ol.events li`)].some((li) => li.textContent.includes(text)),
    [panel, message],
    { polling: 100 },
  );

  return page.evaluate(
    ([selector, text, publishedId]) => {
      const element = document.querySelector(selector);
      return {
        published_id: publishedId,
        shown_id: [...element.querySelectorAll("ol.events li")].find((li) => li.textContent.includes(text))
          ?.dataset.id,
        last_event_id: element.querySelector("[data-last-event-id]")?.textContent ?? null,
        state: element.dataset.state,
        connection: element.querySelector("[data-connection]")?.textContent ?? null,
        clock: document.querySelector("#clock [data-clock]")?.textContent ?? null,
        status: element.querySelector("[data-status]")?.textContent ?? null,
        counters: Object.fromEntries(
          [...element.querySelectorAll("[data-counter]")].map((el) => [el.dataset.counter, el.textContent]),
        ),
      };
    },
    [panel, message, publishedId],
  );
}

async function seven(page) {
  const states = () =>
    page.evaluate(() => [...document.querySelectorAll("[data-stream]")].map((box) => box.dataset.state));
  const count = (list, state) => list.filter((s) => s === state).length;

  report.step = "open seven: wait for 6 open and 1 stalled";
  await page.click("#open-seven");
  // Six open quickly; the seventh is marked stalled after 2 s without onopen.
  await page.waitForFunction(
    () => {
      const boxes = [...document.querySelectorAll("[data-stream]")];
      const open = boxes.filter((box) => box.dataset.state === "open").length;
      const stalled = boxes.filter((box) => box.dataset.state === "stalled").length;
      return boxes.length === 7 && open === 6 && stalled === 1;
    },
    null,
    { polling: 100 },
  );
  await page.waitForTimeout(500);
  const sevenStates = await states();
  await shot(page, "seven-stalled");

  report.step = "share one: wait for the shared stream to open";
  await page.click("#share-one");
  await page.waitForSelector('#shared[data-shared-state="open"]');
  const closedStates = await states();
  const publishedId = await publish(page, message);
  report.step = "wait for the message in the shared stream's message box";
  await page.waitForFunction(
    (text) => document.querySelector('[data-type="message"] [data-last]')?.textContent.includes(text),
    message,
    { polling: 100 },
  );
  // The ticker (--tick-ms 200) feeds the named types.
  report.step = "wait for a ticker event in a named-type box";
  await page.waitForFunction(
    () =>
      ["ACME", "GLOBEX", "INITECH", "UMBRELLA"].some(
        (type) => Number(document.querySelector(`[data-type="${type}"] [data-count]`)?.textContent) > 0,
      ),
    null,
    { polling: 100 },
  );

  return {
    seven: sevenStates,
    seven_open: count(sevenStates, "open"),
    seven_stalled: count(sevenStates, "stalled"),
    after_share: closedStates,
    shared_state: await page.getAttribute("#shared", "data-shared-state"),
    published_id: publishedId,
    shared_message: await page.textContent('[data-type="message"] [data-last]'),
    shared_counts: await page.evaluate(() =>
      Object.fromEntries(
        [...document.querySelectorAll("[data-type]")].map((box) => [
          box.dataset.type,
          Number(box.querySelector("[data-count]").textContent),
        ]),
      ),
    ),
  };
}

async function handshake(page) {
  report.step = "connect";
  await page.click("#connect");
  await page.waitForSelector('#state[data-state="open"]');

  report.step = "send and wait for the echo";
  await page.fill("#send #text", message);
  await page.click("#send button");
  await page.waitForFunction(
    (text) => [...document.querySelectorAll("#echoes li")].some((li) => li.textContent.includes(text)),
    message,
    { polling: 100 },
  );

  return page.evaluate(() => {
    const fact = (name) => document.querySelector(`[data-fact="${name}"]`)?.textContent ?? null;
    return {
      state: document.querySelector("#state").dataset.state,
      echoed: document.querySelector("#echoes li")?.firstChild?.textContent ?? null,
      url_shown: fact("url"),
      protocol: fact("protocol"),
      extensions: fact("extensions"),
    };
  });
}

async function wsEcho(page) {
  report.step = "wait for the socket to open";
  await page.waitForSelector('#state[data-state="open"]');

  report.step = "send text and binary";
  await page.fill("#send-text #text", message);
  await page.click("#send-text button");
  for (const size of [300, 70000]) {
    await page.fill("#send-binary #size", String(size));
    await page.click("#send-binary button");
  }
  report.step = "wait for the three echoes";
  await page.waitForFunction(
    () => document.querySelectorAll('#log li[data-direction="received"]').length >= 3,
    null,
    { polling: 100 },
  );
  // Oldest first, as sent: text, 300 bytes, 70000 bytes.
  const echoes = await page.evaluate(() =>
    [...document.querySelectorAll('#log li[data-direction="received"]')].reverse().map((li) => ({
      kind: li.dataset.kind,
      size: li.dataset.size,
      match: li.dataset.match,
      text: li.textContent,
    })),
  );

  report.step = "close and wait for the close event";
  await page.click("#close");
  await page.waitForSelector('#state[data-state="closed"]');
  const closed = await page.evaluate(() => ({ ...document.querySelector("#closed").dataset }));

  // Flat fields, for the Rust test's string_field.
  const flat = {};
  echoes.forEach((echo, i) => {
    flat[`echo_${i}`] = `${echo.kind} ${echo.size} ${echo.match === "true" ? "identical" : "DIFFERENT"}`;
  });
  return {
    ...flat,
    echoed_text: echoes[0]?.text ?? null,
    close_code: closed.code ?? null,
    close_clean: closed.clean ?? null,
    close_text: await page.textContent("#closed"),
  };
}

async function chat(pageA) {
  const tabs = { a: pageA };
  report.step = "open tab B";
  tabs.b = await openTab(await context.newPage());

  report.step = "wait for A and B to be open";
  for (const page of Object.values(tabs)) await page.waitForSelector('#state[data-state="open"]');

  // What a list shows, oldest first: each message's data-id, and its text ("#7 ana: hi").
  const shown = (page) =>
    page.evaluate(() => {
      const items = [...document.querySelectorAll("#messages li[data-id]")];
      return { ids: items.map((li) => li.dataset.id).join(","), texts: items.map((li) => li.textContent).join(" | ") };
    });
  const waitFor = (page, text) =>
    page.waitForFunction(
      (text) => [...document.querySelectorAll("#messages li[data-id]")].some((li) => li.textContent.includes(text)),
      text,
      { polling: 100 },
    );

  report.step = "A says something";
  const typed = `ana: ${message}`;
  await tabs.a.fill("#name", "ana");
  await tabs.a.fill("#text", message);
  await tabs.a.click("#chat button");
  report.step = "wait for A's message in A and B";
  await Promise.all([waitFor(tabs.a, typed), waitFor(tabs.b, typed)]);

  report.step = "POST /publish from node";
  const published = `server: ${message}`;
  const response = await fetch(new URL("/publish", url), { method: "POST", body: published });
  if (!response.ok) throw new Error(`POST /publish: ${response.status}`);
  const { id: publishedId } = await response.json();
  report.step = "wait for the published message in A and B";
  await Promise.all([waitFor(tabs.a, published), waitFor(tabs.b, published)]);

  report.step = "tab C joins and gets the history";
  tabs.c = await openTab(await context.newPage());
  await tabs.c.waitForSelector('#state[data-state="open"]');
  await Promise.all([waitFor(tabs.c, typed), waitFor(tabs.c, published)]);
  await shot(tabs.b, "chat-b");
  await shot(tabs.c, "chat-c");

  const lists = {};
  for (const [name, page] of Object.entries(tabs)) {
    const { ids, texts } = await shown(page);
    lists[`ids_${name}`] = ids;
    lists[`tab_${name}`] = texts;
  }
  return { published_id: String(publishedId), ...lists };
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
