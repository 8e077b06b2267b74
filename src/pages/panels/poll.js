// panels/poll.js: the browser side of the `realtime` lessons, part 3 of 6:
// short polling (lesson 2) and long polling (lesson 3). Both ask
// "anything new since event N?" with a plain fetch(); they differ only in
// how long the server may take to answer, and in what the page does next.
// Uses panel() and the helpers of core.js, which GET /panels.js serves
// before this file.
(function (Realtime) {
  "use strict";

  const { panel } = Realtime;
  const { RETRY_MS, headBytes } = Realtime.core;

  // What the polling panels count: every answer is a request of its own,
  // so core.js's standard names fit them as they are.
  const SHORT_POLL = { title: "Short polling" };
  const LONG_POLL = { title: "Long polling" };

  // ---------------------------------------------------------------------
  // One poll request, shared by short and long polling: both answer
  // {"events":[...],"last_id":M} and both move the cursor to last_id.
  // Returns { json, etag }: the parsed answer (null for a 304) and its ETag.
  // ---------------------------------------------------------------------
  async function fetchEvents(view, url, etag, timeoutMs) {
    const headers = {};
    // Conditional request (RFC 9110 §13.1.2): "I already have version etag;
    // send it only if it changed". A match is answered 304 with no body.
    if (etag) headers["If-None-Match"] = etag;

    view.sent();
    const response = await fetch(url, {
      headers,
      // We manage freshness ourselves with If-None-Match; with "no-store"
      // the browser's HTTP cache stays out of the way and hands us the 304.
      cache: "no-store",
      // Never wait forever: a dead connection would otherwise stall the panel.
      signal: AbortSignal.timeout(timeoutMs),
    });
    // Lesson 10: behind a round-robin balancer each poll may reach another
    // server; one started with --name says which in every answer.
    const server = response.headers.get("X-Server");
    if (server) view.server(server);
    const body = new Uint8Array(await response.arrayBuffer());
    if (response.status !== 200 && response.status !== 304) {
      throw new Error(`${response.status} ${response.statusText}`);
    }
    const json = response.status === 200 ? JSON.parse(new TextDecoder().decode(body)) : null;
    const empty = json === null || json.events.length === 0;
    view.received(headBytes(response) + body.length, { empty });
    return { json, etag: response.headers.get("ETag") };
  }

  // Fold one answer into the panel and return the next cursor.
  function apply(view, answer, cursor) {
    if (answer === null) return cursor; // 304: nothing new
    if (answer.last_id < cursor) {
      // The log went backwards: the server restarted with a fresh log and
      // ids start at 1 again. A server answers a cursor ahead of its log at
      // once, with all it has, so we just take its last_id and go on.
      view.note("— the server restarted: event ids start again at 1 —");
    } else if (answer.missed) {
      view.note("— some events were missed: the log no longer has them all —");
    }
    view.show(answer.events);
    return answer.last_id;
  }

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  // ---------------------------------------------------------------------
  // Short polling: ask every intervalMs whether anything happened.
  // Most answers are "no" (304); the delay is up to one interval.
  // ---------------------------------------------------------------------
  function shortPoll(element, { intervalMs = 1000 } = {}) {
    const view = panel(element, SHORT_POLL);
    let stopped = false;

    (async () => {
      let cursor = 0;
      let etag = null;
      while (!stopped) {
        try {
          view.status("polling");
          const url = `/poll?since=${cursor}`;
          const answer = await fetchEvents(view, url, etag, 10000);
          cursor = apply(view, answer.json, cursor);
          etag = answer.etag || etag; // a 304 may omit it: keep the one we have
          view.status(`waiting ${intervalMs} ms`);
          // setTimeout after each answer, not setInterval: a slow answer
          // then delays the next request instead of piling requests up.
          await sleep(intervalMs);
        } catch (error) {
          view.status(`error — retrying (${error.message})`);
          await sleep(RETRY_MS);
        }
      }
      view.status("stopped");
    })();

    return { stop: () => (stopped = true) };
  }

  // ---------------------------------------------------------------------
  // Long polling: ask, and let the server hold ("park") the request until
  // an event exists or timeoutMs passes. The answer comes as soon as the
  // event does; the cost is one connection held open all the time.
  // ---------------------------------------------------------------------
  function longPoll(element, { timeoutMs = 25000 } = {}) {
    const view = panel(element, LONG_POLL);
    let stopped = false;

    (async () => {
      let cursor = 0;
      while (!stopped) {
        try {
          view.status("waiting (request parked on the server)");
          const url = `/long-poll?since=${cursor}&timeout_ms=${timeoutMs}`;
          // Give the server its timeout plus some slack before we give up.
          const answer = await fetchEvents(view, url, null, timeoutMs + 10000);
          cursor = apply(view, answer.json, cursor);
          // No sleep: ask again at once, so there is always a parked request.
        } catch (error) {
          view.status(`error — retrying (${error.message})`);
          await sleep(RETRY_MS);
        }
      }
      view.status("stopped");
    })();

    return { stop: () => (stopped = true) };
  }

  Object.assign(Realtime, { shortPoll, longPoll });
})(window.Realtime);
