// panels/core.js: the browser side of the `realtime` lessons, part 1 of 6:
// what every transport shares. The other parts are publish.js (the publish
// box), poll.js (short and long polling), sse.js (EventSource), websocket.js
// (WebSocket) and compare.js (the four side by side).
//
// GET /panels.js serves the six files one after the other, in that order
// (see src/pages.rs), so a page loads them with one <script src="/panels.js">.
// They use only what the browser ships with (fetch, EventSource, WebSocket,
// the DOM), so what you read here is all the code there is between the page
// and the wire. Each file is one function that runs at once and adds its
// part to window.Realtime:
//
//   window.Realtime = {
//     shortPoll(panel, { intervalMs }),  // GET /poll?since=N, once a second      (poll.js)
//     longPoll(panel, { timeoutMs }),    // GET /long-poll?since=N&timeout_ms=T   (poll.js)
//     sse(panel, { url }),               // new EventSource("/events")            (sse.js)
//     websocket(panel, { url }),         // new WebSocket("ws://…/ws?since=N")    (websocket.js)
//     publishForm(form),                 // POST /publish                         (publish.js)
//     panel(element, transport),         // the counters and list of any transport (core.js)
//     feed(url, callbacks),              // the /ws socket that reconnects (chat)  (websocket.js)
//     frameBytes(length, { masked }),    // a WebSocket frame's size on the wire  (websocket.js)
//     compare(element, { statsUrl }),    // per event: page's counters, GET /stats (compare.js)
//     core,                              // what the other files take from this one
//   }
//
// Every transport builds on `panel(element, transport)` so that they all
// count the same things.
//
// A page declares a panel with an empty section; the heading is optional
// (each transport has a default title):
//
//   <section class="panel" data-transport="poll"
//            data-title="Short polling" data-endpoint="GET /poll?since=N"></section>
//
// and panel() fills it with this markup (the browser test relies on it):
//
//   <h2>TITLE <code>ENDPOINT</code></h2>
//   <p class="server" data-server hidden></p>  <!-- "server: s2", once one says its name -->
//   ...whatever the page put inside the section stays here...
//   <p data-status>starting</p>
//   <dl class="counters">
//     <div><dt>LABEL</dt><dd data-counter="requests|empty|bytes|events|delay"></dd></div>  (one of each)
//   </dl>
//   ...what the transport adds (the WebSocket's <form class="send">)...
//   <ol class="events"></ol>  <!-- one <li data-id="N"> per event, newest first -->
//
// An SSE or WebSocket panel also sets
// data-state="connecting|open|reconnecting|closed" on the section, and fills
// [data-connection] and [data-last-event-id] inside it when the page has
// them. Once a server names itself (lesson 10, `--name`), the section gets
// data-server="NAME" and its [data-server] line shows it; before that, and
// on a server without a name, the line stays hidden.
(function () {
  "use strict";

  // After a network error, wait this long before asking again. A fixed
  // second is enough for a lesson; Production note: real clients back off
  // exponentially with jitter so a restarted server is not hit by every
  // client in the same millisecond, as the WebSocket feed does.
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
  // Events that come in a burst.
  //
  // The first answer of a stream or a socket can replay the whole history:
  // thousands of events, each its own `message` dispatch. batch(deliver)
  // returns a function that gathers them and calls deliver(list) once they
  // stop coming (setTimeout 0 runs after the dispatches queued so far), so
  // the list is built once, not once per event.
  // ---------------------------------------------------------------------
  function batch(deliver) {
    let queue = [];
    return (item) => {
      queue.push(item);
      if (queue.length > 1) return; // a flush is already on its way
      setTimeout(() => {
        const items = queue;
        queue = [];
        deliver(items);
      }, 0);
    };
  }

  // ---------------------------------------------------------------------
  // The counters, and what each transport calls them.
  //
  // Every panel has the same five counters, so the numbers compare; a
  // transport only renames the ones that mean something else for it (a
  // "request" of a stream is a connection) and says in a title why a
  // counter stays 0 (what the browser's API hides from a script).
  // ---------------------------------------------------------------------
  const COUNTERS = {
    requests: { label: "requests", initial: "0" },
    empty: { label: "empty answers", initial: "0" },
    bytes: { label: "bytes received", initial: "0" },
    events: { label: "events shown", initial: "0" },
    delay: { label: "publish → display", initial: "—" },
  };

  // Builds the panel's markup inside `element` (the section the page wrote).
  // transport: { title, counters: { NAME: { label, title } }, extra }, where
  // extra() returns an element to put between the counters and the list.
  function render(element, { title = "", counters = {}, extra } = {}) {
    const make = (tag, props = {}, ...children) => {
      const el = Object.assign(document.createElement(tag), props);
      el.append(...children);
      return el;
    };
    const heading = make("h2", {}, element.dataset.title ?? title);
    if (element.dataset.endpoint) heading.append(" ", make("code", {}, element.dataset.endpoint));
    const server = make("p", { className: "server", hidden: true });
    server.dataset.server = "";

    const list = make("dl", { className: "counters" });
    for (const [name, standard] of Object.entries(COUNTERS)) {
      const { label, title: why } = { ...standard, ...counters[name] };
      const value = make("dd", { textContent: standard.initial });
      value.dataset.counter = name;
      const box = make("div", {}, make("dt", { textContent: label }), value);
      if (why) box.title = why;
      list.append(box);
    }
    const status = make("p", { textContent: "starting" });
    status.dataset.status = "";

    // The page's own children (lesson 4's tiles) stay between heading and status.
    element.prepend(heading, server);
    element.append(status, list);
    if (extra) element.append(extra());
    element.append(make("ol", { className: "events" }));
  }

  // ---------------------------------------------------------------------
  // A panel: the counters and the event list of one transport.
  // Every transport reports to it the same way, so the numbers compare.
  // Call it once per section: it builds the markup, then returns the view,
  // which it also keeps in `views` for compare.js.
  // ---------------------------------------------------------------------
  const views = []; // every panel view on the page, in the order they were made

  function panel(element, transport = {}) {
    render(element, transport);
    const list = element.querySelector("ol.events");
    const statusLine = element.querySelector("[data-status]");
    const connectionLabel = element.querySelector("[data-connection]");
    const lastIdLabel = element.querySelector("[data-last-event-id]");
    const serverLabel = element.querySelector("p[data-server]");
    const counter = (name) => element.querySelector(`[data-counter="${name}"]`);
    const stats = { requests: 0, empty: 0, bytes: 0, events: 0, delays: 0, delaySum: 0, serverChanges: 0 };

    function update() {
      for (const name of ["requests", "empty", "bytes", "events"]) {
        counter(name).textContent = String(stats[name]);
      }
      if (stats.delays > 0) {
        const avg = Math.round(stats.delaySum / stats.delays);
        counter("delay").textContent = `last ${stats.lastDelay} ms, avg ${avg} ms`;
      }
    }

    const view = {
      element,
      stats,

      status(text) {
        statusLine.textContent = text;
      },

      // A connection's state (SSE, WebSocket): on the section for the CSS
      // and the test, in the page's [data-connection] label, and in words.
      state(state, text) {
        element.dataset.state = state;
        if (connectionLabel) connectionLabel.textContent = state;
        statusLine.textContent = text;
      },

      // The page's [data-last-event-id] label, when it has one.
      lastId(text) {
        if (lastIdLabel) lastIdLabel.textContent = text;
      },

      // Which server answered, when it says (lesson 10: several behind one
      // balancer). A poll may reach another on every request, a stream or a
      // socket only when it reconnects. Returns the previous name, or "".
      server(name) {
        const was = element.dataset.server ?? "";
        if (was !== "" && was !== name) stats.serverChanges += 1;
        element.dataset.server = name;
        serverLabel.hidden = false;
        const changes = stats.serverChanges;
        serverLabel.textContent = `server: ${name}${changes ? ` (changed ${changes}×)` : ""}`;
        return was;
      },

      // One request went out (a poll, a connection attempt...).
      sent() {
        stats.requests += 1;
        update();
      },

      // An answer arrived: how many bytes, and did it carry any event?
      received(bytes, { empty }) {
        stats.bytes += bytes;
        if (empty) stats.empty += 1;
        update();
      },

      // Put events in the list, newest on top, and take a delay sample
      // from each one that says when it was published. The first answer can
      // hold the whole history; the list keeps only MAX_ITEMS, so don't
      // build elements we would throw away at once.
      show(events) {
        for (const { id, data } of events.slice(-MAX_ITEMS)) {
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
        update();
      },

      // A line in the list that is not an event (a gap, a restart).
      note(text) {
        const item = document.createElement("li");
        item.className = "note";
        item.textContent = text;
        list.prepend(item);
      },
    };
    views.push(view); // for compare.js, which reads every panel's stats
    return view;
  }

  window.Realtime = {
    panel,
    // For publish.js, poll.js, sse.js, websocket.js and compare.js; a page has no need of these.
    core: { RETRY_MS, batch, headBytes, rememberPublish, views },
  };
})();
