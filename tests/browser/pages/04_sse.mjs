// pages/04_sse.mjs: modes `sse`, `seven` and `seven-h2`, for lesson 4's two pages.
//
//   node drive.mjs URL sse MESSAGE
//       Wait for the SSE panel to be open and the #clock tile to show a time;
//       publish MESSAGE and wait until the panel shows it. Reports the id the
//       publish answer gave ("published as #N") and the panel's last event ID.
//   node drive.mjs URL seven MESSAGE
//       Click #open-seven and wait until 6 [data-stream] boxes are open and
//       one is stalled; wait 500 ms more and read the states again. Click
//       #share-one, wait for [data-shared-state="open"], publish MESSAGE and
//       wait until the "message" box shows it and a ticker box counts events.
//   node drive.mjs https://…/seven seven-h2 MESSAGE
//       The same page over HTTP/2 (lesson 9: TLS and HTTP/2 at nginx): click
//       #open-seven and wait until all 7 [data-stream] boxes are open, none
//       stalled, since every stream is a stream of one HTTP/2 connection.
//       Reports the page's protocol (`h2`).

export async function sse(page, { message, step, publish }) {
  const panel = 'section.panel[data-transport="sse"]';
  step("wait for the stream to open");
  await page.waitForSelector(`${panel}[data-state="open"]`);
  // The clock stream replays its newest event at once, then one a second.
  step("wait for the clock");
  await page.waitForFunction(
    () => /^\d\d:\d\d:\d\d$/.test(document.querySelector("#clock [data-clock]")?.textContent ?? ""),
    null,
    { polling: 100 },
  );

  const publishedId = await publish(page, message);
  step("wait for the message on the panel");
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

export async function seven(page, { message, step, publish, shot }) {
  const states = () =>
    page.evaluate(() => [...document.querySelectorAll("[data-stream]")].map((box) => box.dataset.state));
  const count = (list, state) => list.filter((s) => s === state).length;

  step("open seven: wait for 6 open and 1 stalled");
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

  step("share one: wait for the shared stream to open");
  await page.click("#share-one");
  await page.waitForSelector('#shared[data-shared-state="open"]');
  const closedStates = await states();
  const publishedId = await publish(page, message);
  step("wait for the message in the shared stream's message box");
  await page.waitForFunction(
    (text) => document.querySelector('[data-type="message"] [data-last]')?.textContent.includes(text),
    message,
    { polling: 100 },
  );
  // The ticker (--tick-ms 200) feeds the named types.
  step("wait for a ticker event in a named-type box");
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

export async function sevenOverHttp2(page, { step, shot }) {
  step("open seven over HTTP/2: wait for all 7 open");
  await page.click("#open-seven");
  await page.waitForFunction(
    () => {
      const boxes = [...document.querySelectorAll("[data-stream]")];
      return boxes.length === 7 && boxes.every((box) => box.dataset.state === "open");
    },
    null,
    { polling: 100 },
  );
  await shot(page, "seven-h2");
  return page.evaluate(() => ({
    protocol: performance.getEntriesByType("navigation")[0]?.nextHopProtocol ?? null,
    seven: [...document.querySelectorAll("[data-stream]")].map((box) => box.dataset.state),
  }));
}
