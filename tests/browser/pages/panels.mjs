// pages/panels.mjs: mode `panels`, for every page made of transport panels
// (the playground, lessons 2 and 3).
//
//   node drive.mjs URL panels MESSAGE
//       Publish MESSAGE with the page's #publish form, then wait until every
//       <section class="panel"> shows it in its <ol class="events"> and has
//       counted at least one request.
//       On a page with the comparison (#compare, the playground), first wait
//       for its window to open (so that the message falls in it), and after
//       the panels wait until each of its four transports has its figures:
//       page bytes, requests and delay per event, server bytes and requests
//       per event, and at least one event in both views.

const ROWS = ["poll", "long-poll", "sse", "websocket"];

export async function panels(page, { message, step }) {
  const count = await page.locator("section.panel").count();
  if (count === 0) throw new Error("no <section class=\"panel\"> on the page");

  const compare = (await page.locator("#compare").count()) > 0;
  if (compare) {
    step("wait for the comparison's window to open");
    await page.waitForSelector("#compare[data-since]");
  }

  step("publish");
  await page.fill("#publish #message", message);
  await page.click("#publish button");

  // Wait in the page itself: cheap, and it sees exactly what a reader sees.
  step("wait for the message on every panel");
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
  if (!compare) return found;

  // The server's figures come with the next GET /stats, within 2 s.
  step("wait for the comparison's figures");
  const figures = () =>
    page.evaluate((rows) => {
      const value = (row, view, metric) => {
        const text = document.querySelector(
          `#compare tbody[data-row="${row}"] tr[data-view="${view}"] [data-metric="${metric}"]`,
        )?.dataset.value;
        return text ? Number(text) : null;
      };
      return rows.map((row) => ({
        row,
        page_events: value(row, "page", "events"),
        page_bytes: value(row, "page", "bytes"),
        page_requests: value(row, "page", "requests"),
        page_delay_ms: value(row, "page", "delay"),
        server_events: value(row, "server", "events"),
        server_bytes: value(row, "server", "bytes"),
        server_requests: value(row, "server", "requests"),
      }));
    }, ROWS);
  const complete = (row) =>
    Object.values(row).every((v) => v !== null && !Number.isNaN(v)) && row.page_events > 0 && row.server_events > 0;
  const deadline = Date.now() + 10_000;
  let rows = await figures();
  while (!rows.every(complete)) {
    if (Date.now() > deadline) throw new Error(`the comparison is missing figures: ${JSON.stringify(rows)}`);
    await page.waitForTimeout(200);
    rows = await figures();
  }
  return { ...found, compare_rows: await page.locator("#compare tbody[data-row]").count(), compare: rows };
}
