// panels/sse.js: the browser side of the `realtime` lessons, part 4 of 6:
// Server-Sent Events (lesson 4). Uses panel() and the helpers of core.js,
// which GET /panels.js serves before this file.
(function (Realtime) {
  "use strict";

  const { panel } = Realtime;
  const { RETRY_MS, batch } = Realtime.core;
  const utf8 = new TextEncoder();

  // ---------------------------------------------------------------------
  // Server-Sent Events: one request, and an answer that never ends.
  //
  // EventSource does the whole protocol: it sends GET with
  // "Accept: text/event-stream", parses the stream (id/event/data/retry
  // fields, comments), and when the connection breaks it reconnects by
  // itself after the reconnection time ("retry: 2000" from the server),
  // adding a Last-Event-ID header with the last id it saw, so the server
  // replays what we missed. None of that is written here, on purpose: this
  // code only watches the object and counts.
  //
  // What EventSource hides from us, and so from the counters:
  //   - comments (": keep-alive"): they never reach script, so "empty" stays 0
  //     here; the server does send one every 15 s;
  //   - the response head, and the bytes of the stream itself: "bytes" is
  //     rebuilt from each event (its fields as the server writes them);
  //   - the moment a reconnection request goes out: we count one when the
  //     browser announces it will retry (an error with readyState CONNECTING).
  // ---------------------------------------------------------------------
  const SSE = {
    title: "Server-Sent Events",
    counters: {
      requests: { label: "connections" },
      empty: {
        label: "empty (hidden)",
        title: "EventSource hides comments, so the : keep-alive lines never reach this page",
      },
      bytes: { label: "bytes (events)" },
    },
  };

  function sse(element, { url = "/events" } = {}) {
    const view = panel(element, SSE);
    let source = null;
    let lastId = ""; // the browser's "last event ID", as it would send it
    let stopped = false;

    // The first answer can replay the whole history: build the list once.
    const queue = batch((events) => {
      view.show(events);
      view.lastId(lastId || "—");
    });

    // Rebuild the bytes the server wrote for this event (see src/sse/encode.rs):
    //   [event: TYPE\n] [id: N\n] data: LINE\n (one per line) \n
    function eventBytes(event) {
      let text = "";
      if (event.type !== "message") text += `event: ${event.type}\n`;
      // The browser's lastEventId carries over from the previous event when an
      // event has no id field; only a change says there was an "id:" line.
      if (event.lastEventId !== lastId) text += `id: ${event.lastEventId}\n`;
      for (const line of event.data.split("\n")) text += `data: ${line}\n`;
      return utf8.encode(text + "\n").length;
    }

    function connect(target) {
      source = new EventSource(target);
      view.sent();
      view.state("connecting", `connecting to ${target}`);

      source.onopen = () => {
        // Fired when the 200 text/event-stream head arrives, before any event.
        view.state("open", lastId ? `open — resumed after event ${lastId}` : "open — stream started");
      };

      source.onmessage = (event) => {
        view.received(eventBytes(event), { empty: false });
        lastId = event.lastEventId;
        queue({ id: Number(event.lastEventId), data: event.data });
      };

      // The server's own event type: "your cursor is older than what I keep,
      // or ahead of my log (I restarted)"; data is the id that follows.
      source.addEventListener("missed", (event) => {
        view.received(eventBytes(event), { empty: false });
        const next = Number(event.data);
        if (lastId !== "" && next <= Number(lastId)) {
          view.note(`— the server restarted: it starts again at event ${next} —`);
        } else {
          view.note(`— missed some events: the server resumes at event ${next} —`);
        }
      });

      // Lesson 10: a server started with --name begins every stream with
      // "event: server" and its name. Per connection: the browser's own
      // reconnection goes through the balancer again and may land elsewhere,
      // and then resumes there with its Last-Event-ID (ids are shared).
      source.addEventListener("server", (event) => {
        view.received(eventBytes(event), { empty: false });
        const was = view.server(event.data);
        if (was && was !== event.data) view.note(`— now on ${event.data} (was ${was}) —`);
      });

      source.onerror = () => {
        if (stopped) return;
        if (source.readyState === EventSource.CONNECTING) {
          // The browser will reconnect by itself, to the same URL, with
          // "Last-Event-ID: <lastId>". One more request is coming.
          view.sent();
          const resume = lastId ? ` with Last-Event-ID: ${lastId}` : "";
          view.state("reconnecting", `reconnecting — the browser retries by itself${resume}`);
        } else {
          // CLOSED: the answer was not a 200 text/event-stream (a 503, a
          // 404...), and then the browser gives up for good. Only here do we
          // step in: a new EventSource after a while. A new object has no last
          // event ID to send, so the cursor goes in the URL (?since=N).
          view.state("closed", `closed by the browser — opening a new stream in ${RETRY_MS} ms`);
          setTimeout(() => {
            if (stopped) return;
            const next = new URL(url, location.href);
            if (lastId) next.searchParams.set("since", lastId);
            connect(next.pathname + next.search);
          }, RETRY_MS);
        }
      };
    }

    connect(url);

    return {
      get source() {
        return source;
      },
      stop() {
        stopped = true;
        source.close();
        view.state("closed", "stopped");
      },
    };
  }

  Realtime.sse = sse;
})(window.Realtime);
