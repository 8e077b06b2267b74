// panels.js: the browser side of the `realtime` lessons.
//
// Served at GET /panels.js by every server that has an event log. It uses
// only what the browser ships with (fetch, EventSource, WebSocket, the
// DOM), so what you read here
// is all the code there is between the page and the wire.
//
//   window.Realtime = {
//     shortPoll(panel, { intervalMs }),  // GET /poll?since=N, once a second
//     longPoll(panel, { timeoutMs }),    // GET /long-poll?since=N&timeout_ms=T
//     sse(panel, { url }),               // new EventSource("/events")
//     websocket(panel, { url }),         // new WebSocket("ws://…/ws?since=N")
//     publishForm(form),                 // POST /publish
//     panel(element),                    // the counters and list of any transport
//     feed(url, callbacks),              // the /ws socket that reconnects (chat page)
//     frameBytes(length, { masked }),    // a WebSocket frame's size on the wire
//   }
//
// Every transport builds on `panel(element)` so that they all count the
// same things.
//
// A panel is this markup (the browser test relies on it):
//
//   <section class="panel" data-transport="poll">
//     <p data-status></p>
//     <dd data-counter="requests|empty|bytes|events|delay"></dd>  (one of each)
//     <ol class="events"></ol>  <!-- one <li data-id="N"> per event, newest first -->
//   </section>
//
// An SSE or WebSocket panel also sets
// data-state="connecting|open|reconnecting|closed" on the section, and fills
// [data-connection] and [data-last-event-id] inside it when the page has
// them. A WebSocket panel with a <form class="send"> sends its text over the
// socket: the server publishes it, and it comes back as an event.
"use strict";

(function () {
  // After a network error, wait this long before asking again. A fixed
  // second is enough for a lesson; Production note: real clients back off
  // exponentially with jitter so a restarted server is not hit by every
  // client in the same millisecond, as the WebSocket feed below does.
  const RETRY_MS = 1000;

  // Keep the page light: an hour of ticks would be thousands of list items.
  const MAX_ITEMS = 50;

  // ---------------------------------------------------------------------
  // Delay from publish to display.
  //
  // Ticker events end with " t=<unix ms>", the server's clock when it
  // published them. Messages typed into this page carry no time, so we
  // remember when we POSTed each text and look it up when it comes back.
  // The map is shared by every panel on the page: one publish, one entry,
  // every panel measures against it.
  // ---------------------------------------------------------------------
  const publishedAt = new Map(); // text -> Date.now() at POST
  const MAX_REMEMBERED = 100;

  // The first answer can hold history from before this page opened; those
  // events were not waiting for us, so their "delay" would be meaningless.
  const pageOpenedAt = Date.now();

  function rememberPublish(text) {
    publishedAt.delete(text); // re-insert, so it counts as the newest
    publishedAt.set(text, Date.now());
    if (publishedAt.size > MAX_REMEMBERED) {
      // A Map iterates in insertion order: the first key is the oldest.
      publishedAt.delete(publishedAt.keys().next().value);
    }
  }

  // Milliseconds between publish and now, or null when the event says
  // nothing about when it was published.
  function delayOf(data) {
    const stamp = / t=(\d+)$/.exec(data);
    const sentAt = stamp ? Number(stamp[1]) : publishedAt.get(data);
    if (sentAt === undefined || sentAt < pageOpenedAt) return null;
    // Server and browser clocks can disagree by a little; never show < 0.
    return Math.max(0, Date.now() - sentAt);
  }

  // ---------------------------------------------------------------------
  // Bytes on the wire.
  //
  // fetch() hands us the body and the headers, not the raw response, so we
  // rebuild the head the way HTTP/1.1 writes it (RFC 9112 §2.1):
  //   HTTP/1.1 200 OK\r\n  name: value\r\n ...  \r\n
  // It is an estimate: header names come back lower-cased and a few
  // (Set-Cookie) are hidden from scripts, but the size is what matters.
  // ---------------------------------------------------------------------
  const utf8 = new TextEncoder();

  function headBytes(response) {
    let head = `HTTP/1.1 ${response.status} ${response.statusText}\r\n`;
    for (const [name, value] of response.headers) head += `${name}: ${value}\r\n`;
    return utf8.encode(head + "\r\n").length;
  }

  // ---------------------------------------------------------------------
  // A panel: the counters and the event list of one transport.
  // Every transport reports to it the same way, so the numbers compare.
  // ---------------------------------------------------------------------
  function panel(element) {
    const list = element.querySelector("ol.events");
    const statusLine = element.querySelector("[data-status]");
    const counter = (name) => element.querySelector(`[data-counter="${name}"]`);
    const stats = { requests: 0, empty: 0, bytes: 0, events: 0, delays: 0, delaySum: 0 };

    function render() {
      for (const name of ["requests", "empty", "bytes", "events"]) {
        const el = counter(name);
        if (el) el.textContent = String(stats[name]);
      }
      const delay = counter("delay");
      if (delay && stats.delays > 0) {
        const avg = Math.round(stats.delaySum / stats.delays);
        delay.textContent = `last ${stats.lastDelay} ms, avg ${avg} ms`;
      }
    }

    return {
      element,
      stats,

      status(text) {
        if (statusLine) statusLine.textContent = text;
      },

      // One request went out (a poll, a connection attempt...).
      sent() {
        stats.requests += 1;
        render();
      },

      // An answer arrived: how many bytes, and did it carry any event?
      received(bytes, { empty }) {
        stats.bytes += bytes;
        if (empty) stats.empty += 1;
        render();
      },

      // Put events in the list, newest on top, and take a delay sample
      // from each one that says when it was published.
      show(events) {
        for (const { id, data } of events) {
          const item = document.createElement("li");
          item.dataset.id = String(id);
          const delay = delayOf(data);
          item.textContent = `#${id} ${data}`;
          if (delay !== null) {
            stats.delays += 1;
            stats.delaySum += delay;
            stats.lastDelay = delay;
            const note = document.createElement("small");
            note.textContent = ` (${delay} ms)`;
            item.append(note);
          }
          list.prepend(item);
          stats.events += 1;
        }
        while (list.children.length > MAX_ITEMS) list.lastElementChild.remove();
        render();
      },

      // A line in the list that is not an event (a gap, a restart).
      note(text) {
        const item = document.createElement("li");
        item.className = "note";
        item.textContent = text;
        list.prepend(item);
      },
    };
  }

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
      view.note("— some events were missed: the server keeps only its newest —");
    }
    // The first answer can hold the whole history; the list keeps only
    // MAX_ITEMS, so don't build elements we would throw away at once.
    view.show(answer.events.slice(-MAX_ITEMS));
    return answer.last_id;
  }

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  // ---------------------------------------------------------------------
  // Short polling: ask every intervalMs whether anything happened.
  // Most answers are "no" (304); the delay is up to one interval.
  // ---------------------------------------------------------------------
  function shortPoll(element, { intervalMs = 1000 } = {}) {
    const view = panel(element);
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
    const view = panel(element);
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
  function sse(element, { url = "/events" } = {}) {
    const view = panel(element);
    const connectionLabel = element.querySelector("[data-connection]");
    const lastIdLabel = element.querySelector("[data-last-event-id]");
    let source = null;
    let lastId = ""; // the browser's "last event ID", as it would send it
    let queue = [];  // events waiting for the next paint
    let stopped = false;

    function setState(state, text) {
      element.dataset.state = state;
      if (connectionLabel) connectionLabel.textContent = state;
      view.status(text);
    }

    // The first answer can replay the whole history: thousands of events,
    // each its own `message` dispatch. Gather them and build the list once
    // they stop coming (setTimeout 0 runs after the dispatches queued so far).
    function flush() {
      const events = queue;
      queue = [];
      view.show(events.slice(-MAX_ITEMS));
      if (lastIdLabel) lastIdLabel.textContent = lastId || "—";
    }

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
      setState("connecting", `connecting to ${target}`);

      source.onopen = () => {
        // Fired when the 200 text/event-stream head arrives, before any event.
        setState("open", lastId ? `open — resumed after event ${lastId}` : "open — stream started");
      };

      source.onmessage = (event) => {
        view.received(eventBytes(event), { empty: false });
        lastId = event.lastEventId;
        queue.push({ id: Number(event.lastEventId), data: event.data });
        if (queue.length === 1) setTimeout(flush, 0);
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

      source.onerror = () => {
        if (stopped) return;
        if (source.readyState === EventSource.CONNECTING) {
          // The browser will reconnect by itself, to the same URL, with
          // "Last-Event-ID: <lastId>". One more request is coming.
          view.sent();
          const resume = lastId ? ` with Last-Event-ID: ${lastId}` : "";
          setState("reconnecting", `reconnecting — the browser retries by itself${resume}`);
        } else {
          // CLOSED: the answer was not a 200 text/event-stream (a 503, a
          // 404...), and then the browser gives up for good. Only here do we
          // step in: a new EventSource after a while. A new object has no last
          // event ID to send, so the cursor goes in the URL (?since=N).
          setState("closed", `closed by the browser — opening a new stream in ${RETRY_MS} ms`);
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
        setState("closed", "stopped");
      },
    };
  }

  // ---------------------------------------------------------------------
  // WebSocket: one connection, messages both ways.
  //
  // The browser does the opening handshake (GET with Upgrade: websocket,
  // checks the 101 and its Sec-WebSocket-Accept), masks what we send,
  // answers the server's pings and does the closing handshake. What it
  // does NOT do, unlike EventSource: reconnect, or remember where it was.
  // So `feed` below does both by hand.
  //
  // What WebSocket hides from us, and so from the counters:
  //   - frames: a script sees whole messages, never the frame headers or
  //     the fragments, so "bytes" is rebuilt with frameBytes();
  //   - ping and pong frames: the browser answers pings itself, so the
  //     panel's "empty" counter ("pings (hidden)") stays 0;
  //   - the handshake: no status, no header of the 101 reaches script.
  // ---------------------------------------------------------------------

  // Bytes of one frame on the wire (RFC 6455 §5.2):
  //   2 bytes: FIN, RSV1-3, opcode, MASK, and a 7-bit payload length
  //   + 2 when the payload is 126..65535 bytes (16-bit length)
  //   + 8 when it is longer (64-bit length)
  //   + 4 for the masking key, on every frame a client sends (§5.3)
  //   + the payload.
  // That is for a message sent in one frame. Our server never splits one;
  // a browser may: Chromium sends a message longer than about 128 KiB as
  // several fragments (a frame with FIN=0, then continuation frames).
  function frameBytes(payloadLength, { masked = false } = {}) {
    const extended = payloadLength < 126 ? 0 : payloadLength < 65536 ? 2 : 8;
    return 2 + extended + (masked ? 4 : 0) + payloadLength;
  }

  // ws:// for a page served over http://, wss:// over https://, same host.
  function socketUrl(path, since) {
    const url = new URL(path, location.href);
    url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
    url.searchParams.set("since", String(since));
    return url.href;
  }

  // How long to wait before reconnection number `attempt` (0, 1, 2...):
  // doubling from 0.5 s up to 15 s, then a random point in the upper half
  // of that, so that a thousand tabs cut off by one server restart do not
  // all come back in the same millisecond.
  const BACKOFF_FIRST_MS = 500;
  const BACKOFF_MAX_MS = 15000;

  function backoff(attempt) {
    const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** attempt);
    return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
  }

  // ---------------------------------------------------------------------
  // The /ws feed: every event of the log as a text message
  // {"id":N,"data":"..."}, and every text we send is published.
  //
  // It keeps the id of the last event it got. After a close it did not ask
  // for, it waits backoff(attempt) and opens /ws?since=LAST_ID: the server
  // replays what came after, so nothing is lost and nothing comes twice.
  //
  //   feed("/ws", {
  //     onState(state, text),  // "connecting" | "open" | "reconnecting" | "closed"
  //     onEvents(events),      // [{ id, data, bytes }], one call per burst
  //     onNote(text),          // a gap or a server restart, for the reader
  //   }) -> { send(text), stop(), lastId, socket }
  // ---------------------------------------------------------------------
  function feed(path, { onState = () => {}, onEvents = () => {}, onNote = () => {} } = {}) {
    let socket = null;
    let lastId = 0;
    let attempt = 0;     // reconnections since the last open
    let queue = [];      // events waiting for the next paint
    let retryTimer = null;
    let stopped = false;

    // On join the server replays the history, one message per event:
    // thousands of `message` dispatches. Gather them and hand them over
    // once they stop coming (setTimeout 0 runs after those queued so far).
    function flush() {
      const events = queue;
      queue = [];
      onEvents(events);
    }

    function receive(event) {
      const { id, data } = JSON.parse(event.data);
      // Ids grow by 1 without gaps, so the next one is always lastId + 1.
      if (id <= lastId) {
        onNote(`— the server restarted: event ids start again at ${id} —`);
      } else if (lastId > 0 && id > lastId + 1) {
        onNote(`— missed events ${lastId + 1}…${id - 1}: the server keeps only its newest —`);
      }
      lastId = id;
      queue.push({ id, data, bytes: frameBytes(utf8.encode(event.data).length) });
      if (queue.length === 1) setTimeout(flush, 0);
    }

    function connect() {
      retryTimer = null;
      const url = socketUrl(path, lastId);
      socket = new WebSocket(url);
      onState("connecting", `connecting to ${url}`);

      socket.onopen = () => {
        attempt = 0;
        onState("open", lastId ? `open — resumed after event ${lastId}` : "open — history first, then live");
      };

      socket.onmessage = receive;

      // A failed connection fires "error" and then "close"; the browser
      // has already logged why to the console, and "close" is where we act.
      socket.onclose = (event) => {
        const why = `code ${event.code}${event.reason ? ` "${event.reason}"` : ""}${event.wasClean ? "" : ", not clean"}`;
        if (stopped) {
          onState("closed", `closed (${why})`);
          return;
        }
        const delay = backoff(attempt);
        attempt += 1;
        onState("reconnecting", `closed (${why}) — reconnecting in ${(delay / 1000).toFixed(1)} s with ?since=${lastId}`);
        retryTimer = setTimeout(connect, delay);
      };
    }

    connect();

    return {
      get socket() {
        return socket;
      },
      get lastId() {
        return lastId;
      },
      // Sends `text` as one text message; false when the socket is not open
      // (the caller keeps the text, so it can be sent again).
      send(text) {
        if (socket.readyState !== WebSocket.OPEN) return false;
        rememberPublish(text); // for the "publish → display" delay
        socket.send(text);
        return true;
      },
      // Closes with 1000 (Normal Closure) and does not come back.
      stop() {
        stopped = true;
        clearTimeout(retryTimer);
        if (socket.readyState === WebSocket.CONNECTING || socket.readyState === WebSocket.OPEN) {
          socket.close(1000, "bye");
        } else {
          onState("closed", "stopped");
        }
      },
    };
  }

  // ---------------------------------------------------------------------
  // A WebSocket panel: the feed, counted like the other transports.
  // "connections" counts opening handshakes (1, plus one per reconnection);
  // "bytes" is the frames the server sent, rebuilt with frameBytes().
  // ---------------------------------------------------------------------
  function websocket(element, { url = "/ws" } = {}) {
    const view = panel(element);
    const connectionLabel = element.querySelector("[data-connection]");
    const lastIdLabel = element.querySelector("[data-last-event-id]");

    const socket = feed(url, {
      onState(state, text) {
        if (state === "connecting") view.sent();
        element.dataset.state = state;
        if (connectionLabel) connectionLabel.textContent = state;
        view.status(text);
      },
      onEvents(events) {
        view.received(events.reduce((sum, event) => sum + event.bytes, 0), { empty: false });
        view.show(events.slice(-MAX_ITEMS));
        if (lastIdLabel) lastIdLabel.textContent = String(socket.lastId);
      },
      onNote: view.note,
    });

    const form = element.querySelector("form.send");
    if (form) sendForm(form, socket);
    return socket;
  }

  // A form whose text goes out over the socket instead of POST /publish.
  function sendForm(form, socket) {
    const input = form.querySelector("input");
    const result = form.querySelector("output");
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const text = input.value;
      if (text === "") return;
      if (socket.send(text)) {
        input.value = "";
        if (result) result.textContent = `sent ${frameBytes(utf8.encode(text).length, { masked: true })} bytes`;
      } else if (result) {
        result.textContent = "not connected — try again in a moment";
      }
    });
  }

  // ---------------------------------------------------------------------
  // The publish box: POST /publish with the text as the body.
  // One form per page, whatever the number of panels.
  // ---------------------------------------------------------------------
  function publishForm(form) {
    const input = form.querySelector("#message");
    const result = form.querySelector("output");

    form.addEventListener("submit", async (event) => {
      event.preventDefault(); // we send it ourselves, without leaving the page
      const text = input.value;
      if (text === "") return;
      rememberPublish(text);
      input.value = "";
      try {
        const response = await fetch("/publish", {
          method: "POST",
          // A string body goes out as "text/plain;charset=UTF-8".
          body: text,
        });
        if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
        const { id } = await response.json();
        if (result) result.textContent = `published as #${id}`;
      } catch (error) {
        if (result) result.textContent = `publish failed: ${error.message}`;
        input.value = text; // give the text back, so it can be sent again
      }
    });
  }

  window.Realtime = { panel, shortPoll, longPoll, sse, websocket, feed, frameBytes, publishForm };
})();
