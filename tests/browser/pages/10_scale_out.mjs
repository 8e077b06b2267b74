// pages/10_scale_out.mjs: mode `scale-out`, for lesson 10's page through nginx
// in front of servers named s1, s2, s3 that share one log in Redis.
//
//   node drive.mjs URL scale-out MESSAGE
//       Wait until the SSE and WebSocket panels are open and every panel but
//       long polling names its server (data-server="sN"): a parked long poll
//       learns it only from its answer's X-Server, and with no ticker the
//       first answer is the first publish. Publish "MESSAGE (first)" with the
//       #publish form; wait until every panel shows it and names its server.
//       Then ask the test to kill the SSE panel's server (drive.ask, answered
//       on stdin) and at once publish "MESSAGE (second)": the stream is down
//       (its reconnection waits the server's retry: 2000 ms), so the message
//       can only reach the SSE panel as a replay, from the server its
//       reconnection lands on, after its Last-Event-ID. Wait until the SSE
//       panel is open on another server and every panel shows the second
//       message. Reports each panel's server before and after the kill, and
//       how many times each panel lists each message (the test wants "1 1":
//       nothing lost, nothing twice).

const NAMED = /^s\d+$/;

export async function scaleOut(page, { message, step, publish, ask }) {
  const first = `${message} (first)`;
  const second = `${message} (second)`;

  step("wait for the SSE and WebSocket panels to open, and the panels to name their server");
  await everyPanelNamed(page, ["long-poll"]);

  step("publish the first message");
  const firstId = await publish(page, first);
  step("wait for the first message on every panel, and every panel to name its server");
  await everyPanelShows(page, first);
  await everyPanelNamed(page, []);
  const before = await servers(page);

  step(`ask the test to kill ${before.sse}, the SSE panel's server`);
  const answer = await ask(`kill ${before.sse}`);
  if (answer !== `killed ${before.sse}`) throw new Error(`the test answered ${JSON.stringify(answer)}`);

  step("publish the second message while the SSE panel has no stream");
  const secondId = await publish(page, second);
  // "reconnecting" as a rule; "open" if the browser had not yet seen the stream break.
  const sseStateThen = await page.getAttribute('section.panel[data-transport="sse"]', "data-state");

  step("wait for the SSE panel to be open on another server");
  await page.waitForFunction(
    ({ gone, named }) => {
      const panel = document.querySelector('section.panel[data-transport="sse"]');
      const server = panel.dataset.server ?? "";
      return panel.dataset.state === "open" && server !== gone && new RegExp(named).test(server);
    },
    { gone: before.sse, named: NAMED.source },
    { polling: 100 },
  );

  step("wait for the second message on every panel");
  await everyPanelShows(page, second);
  const after = await servers(page);

  // Flat fields, for the test's string_field: before_sse, after_sse, times_sse ("1 1": the
  // first message once, the second once), and the same for poll, long-poll, websocket.
  const times = await page.evaluate(
    ([first, second]) =>
      [...document.querySelectorAll("section.panel")].map((panel) => {
        const items = [...panel.querySelectorAll("ol.events li[data-id]")];
        const count = (text) => items.filter((li) => li.textContent.includes(text)).length;
        return [panel.dataset.transport, `${count(first)} ${count(second)}`];
      }),
    [first, second],
  );
  const flat = (prefix, entries) => Object.fromEntries(entries.map(([t, v]) => [`${prefix}_${t}`, v]));
  const sseNotes = await page.$$eval('section.panel[data-transport="sse"] ol.events li.note', (notes) =>
    notes.map((li) => li.textContent),
  );
  return {
    first_id: firstId,
    second_id: secondId,
    killed: before.sse,
    sse_state_at_second_publish: sseStateThen,
    ...flat("before", Object.entries(before)),
    ...flat("after", Object.entries(after)),
    ...flat("times", times),
    sse_notes: sseNotes,
    published: await page.textContent("#publish output"),
  };
}

// Waits until every panel but those of `unnamed` names its server, and each
// SSE or WebSocket panel (they have a data-state) is open.
function everyPanelNamed(page, unnamed) {
  return page.waitForFunction(
    ({ named, unnamed }) =>
      [...document.querySelectorAll("section.panel")].every(
        (panel) =>
          (unnamed.includes(panel.dataset.transport) || new RegExp(named).test(panel.dataset.server ?? "")) &&
          (panel.dataset.state === undefined || panel.dataset.state === "open"),
      ),
    { named: NAMED.source, unnamed },
    { polling: 100 },
  );
}

// Waits until every panel's list has an event whose text includes `text`.
function everyPanelShows(page, text) {
  return page.waitForFunction(
    (text) =>
      [...document.querySelectorAll("section.panel")].every((panel) =>
        [...panel.querySelectorAll("ol.events li[data-id]")].some((li) => li.textContent.includes(text)),
      ),
    text,
    { polling: 100 },
  );
}

// Each panel's server now: { poll: "s1", "long-poll": "s3", sse: "s2", websocket: "s1" }.
function servers(page) {
  return page.evaluate(() =>
    Object.fromEntries(
      [...document.querySelectorAll("section.panel")].map((panel) => [panel.dataset.transport, panel.dataset.server]),
    ),
  );
}
