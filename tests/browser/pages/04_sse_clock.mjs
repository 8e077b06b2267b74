// pages/04_sse_clock.mjs: mode `clock`, for the source's client of
// examples/04_sse_clock.rs, served by the test from a second origin.
//
//   node drive.mjs URL clock MESSAGE
//       URL is the page on the second origin (examples/pages/04_sse_clock_client.html
//       with the clock's port in its EventSource URL). Wait until its
//       <p id="time"> shows HH:MM:SS, then until it shows a different one: the
//       stream is live, not only the newest tick it starts with. Reports both
//       times, the page's origin, and how long after the page's navigation the
//       first one was shown (a slow first connection would show there).

const TIME = /^\d\d:\d\d:\d\d$/;

export async function clock(page, { step }) {
  const shown = () => page.textContent("#time").then((text) => text.trim());

  step("wait for the first time");
  await page.waitForFunction(
    (pattern) => new RegExp(pattern).test(document.getElementById("time")?.textContent.trim() ?? ""),
    TIME.source,
    { polling: 50 },
  );
  const first = await shown();
  const firstShownMs = Math.round(await page.evaluate(() => performance.now()));

  // The server ticks every 2 s.
  step("wait for the next time");
  await page.waitForFunction(
    ([pattern, before]) => {
      const text = document.getElementById("time")?.textContent.trim() ?? "";
      return new RegExp(pattern).test(text) && text !== before;
    },
    [TIME.source, first],
    { polling: 100 },
  );

  return {
    origin: await page.evaluate(() => location.origin),
    first_time: first,
    next_time: await shown(),
    first_shown_ms: firstShownMs,
  };
}
