// panels/compare.js: the browser side of the `realtime` lessons, part 6 of 6:
// the four transports side by side, as the playground shows them under its
// panels (lesson 8 measures the same with a load generator). Uses the panel
// views of core.js, each of which keeps its counters in `view.stats`, and the
// server's GET /stats.
//
// Per transport, three figures, two of them from two points of view:
//
//   bytes per event     page:   bytes its panel received / events it showed
//                       server: bytes_written / events delivered     (/stats)
//   requests per event  page:   requests (or connections) / events shown
//                       server: requests answered / events delivered (/stats)
//   publish → display   page only: its panel's mean delay (core.js); the
//                       server cannot see when a page shows an event
//
// The page's view is this tab alone, and its bytes are rebuilt from what the
// APIs hand a script: fetch gives the body and the headers, but EventSource
// and WebSocket give only the events (no response head, no handshake, no
// comment, no ping), so for SSE and WebSocket the bytes are estimates. The
// server's view is every client of the transport (other tabs, curl…), counted
// where the bytes cross its sockets (src/ledger.rs).
//
// Every figure is counted over a window, so that it shows live events and not
// the history that each panel's first answer replays: the window opens with
// the first /stats answer, WINDOW_AFTER_MS after the page starts, and again
// when the reader presses Reset. Within it, events / requests / bytes are the
// counters now minus the counters when it opened.
//
//   Realtime.compare(element, { statsUrl: "/stats", intervalMs: 2000 })
//
// fills `element` with this markup, above what the page put in it; the
// browser test relies on it:
//
//   <h2>…</h2> <p class="legend">…</p> <div class="row"><p data-compare-status> <button>Reset</div>
//   <table>
//     <tbody data-row="poll|long-poll|sse|websocket">      (one per transport)
//       <tr data-view="page|server">                       (two rows each)
//         [<th rowspan="2">NAME</th>]  <td class="who">page|server</td>
//         <td data-metric="bytes|requests|delay" data-value="N, or empty">
//           <div class="figure"><span class="track"><i></i></span><b>FIGURE</b></div>
//         </td>
//         <td data-metric="events" data-value="N, or empty"><b>N</b></td>
//       </tr>
//     </tbody>
//   </table>
//
// A figure not known yet, or that a view cannot have (the server's delay),
// has data-value="" and shows "—". The element gets data-since="HH:MM:SS"
// once the window is open.
(function (Realtime) {
  "use strict";

  const { views } = Realtime.core;

  // The page's panel (its data-transport) and the server's name for it in /stats.
  const ROWS = [
    { row: "poll", server: "poll", name: "Short polling" },
    { row: "long-poll", server: "long-poll", name: "Long polling" },
    { row: "sse", server: "sse", name: "Server-Sent Events" },
    { row: "websocket", server: "ws", name: "WebSocket" },
  ];

  // The columns with bars, each on a scale of its own. A view without the
  // metric (the server's delay) leaves the cell empty.
  const METRICS = [
    { metric: "bytes", label: "bytes per event", format: (v) => `${Math.round(v)} B` },
    { metric: "requests", label: "requests per event", format: (v) => v.toFixed(2) },
    { metric: "delay", label: "publish → display", format: (v) => `${Math.round(v)} ms` },
  ];
  const VIEWS = ["page", "server"];

  // Long enough for the panels' first answers (the history) to be in, on a
  // server on this machine; Reset opens a new window whenever the reader likes.
  const WINDOW_AFTER_MS = 1500;

  const ZERO_PAGE = { requests: 0, bytes: 0, events: 0, delays: 0, delaySum: 0 };
  const ZERO_SERVER = { requests: 0, bytes_written: 0, events: 0 };

  const make = (tag, props = {}, ...children) => {
    const el = Object.assign(document.createElement(tag), props);
    el.append(...children);
    return el;
  };

  // (now − base) of `key` per event of the window; null with no event in it:
  // a cost per event over zero events says nothing.
  function perEvent(now, base, key, events) {
    const count = now[events] - base[events];
    return count > 0 ? (now[key] - base[key]) / count : null;
  }

  // The figures of one row from the page's view of its panel.
  function pageFigures(view, base) {
    if (!view) return { events: null };
    const s = view.stats;
    const delays = s.delays - base.delays;
    return {
      events: s.events - base.events,
      bytes: perEvent(s, base, "bytes", "events"),
      requests: perEvent(s, base, "requests", "events"),
      delay: delays > 0 ? (s.delaySum - base.delaySum) / delays : null,
    };
  }

  // The figures of one row from the server's ledger (a /stats transport).
  function serverFigures(now, base) {
    if (!now) return { events: null };
    return {
      events: now.events - base.events,
      bytes: perEvent(now, base, "bytes_written", "events"),
      requests: perEvent(now, base, "requests", "events"),
    };
  }

  // The table: per transport, a row for each view, a bar per metric.
  function render(element) {
    const head = make("tr", {}, make("th", { textContent: "transport" }), make("th"));
    for (const { label } of METRICS) head.append(make("th", { textContent: label }));
    head.append(make("th", { textContent: "events" }));
    const table = make("table", {}, make("thead", {}, head));
    for (const { row, name } of ROWS) {
      const group = make("tbody");
      group.dataset.row = row;
      for (const who of VIEWS) {
        const tr = make("tr");
        tr.dataset.view = who;
        if (who === "page") tr.append(make("th", { rowSpan: 2, textContent: name }));
        tr.append(make("td", { className: `who ${who}`, textContent: who }));
        for (const { metric } of METRICS) {
          const figure = make("div", { className: "figure" }, make("span", { className: "track" }, make("i")));
          figure.append(make("b", { textContent: "—" }));
          const cell = make("td", {}, figure);
          cell.dataset.metric = metric;
          cell.dataset.value = "";
          tr.append(cell);
        }
        const events = make("td", {}, make("b", { textContent: "—" }));
        events.dataset.metric = "events";
        events.dataset.value = "";
        tr.append(events);
        group.append(tr);
      }
      table.append(group);
    }

    const status = make("p", { textContent: `the window opens in ${WINDOW_AFTER_MS / 1000} s` });
    status.dataset.compareStatus = "";
    const reset = make("button", { type: "button", textContent: "Reset" });
    reset.title = "Open a new window: count from now";

    // Before whatever the page put in the section, which stays below the table.
    element.prepend(
      make("h2", {}, "The four side by side ", make("small", {}, "what one event costs, since the window opened")),
      make(
        "p",
        { className: "legend" },
        make("b", { className: "who page", textContent: "page" }),
        " this tab's panels: what each received and showed (for SSE and WebSocket the bytes are estimates: " +
          "EventSource and WebSocket hide the raw stream, its head and the handshake). ",
        make("b", { className: "who server", textContent: "server" }),
        " GET /stats every 2 s: what the server wrote to all clients of the transport, per event it delivered. " +
          "The delay is the page's alone: the server cannot see a page display an event.",
      ),
      make("div", { className: "row" }, status, reset),
      table,
    );
    return { status, reset, table };
  }

  // Writes one cell: its value, its text, and its bar on a scale up to `max`.
  function put(cell, value, text, max) {
    const known = value !== null && value !== undefined;
    cell.dataset.value = known ? String(value) : "";
    cell.querySelector("b").textContent = known ? text(value) : "—";
    const bar = cell.querySelector("i");
    // Zero still shows a sliver, so that "none" and "not known yet" differ.
    if (bar) bar.style.width = known ? `${max > 0 ? Math.max(1, (value / max) * 100) : 1}%` : "0";
  }

  // Writes the figures into the table; a column's bars, both views, share one scale.
  function fill(table, figures) {
    const cell = (row, who, metric) =>
      table.querySelector(`tbody[data-row="${row}"] tr[data-view="${who}"] [data-metric="${metric}"]`);
    for (const { metric, format } of METRICS) {
      const values = figures.flatMap((f) => VIEWS.map((who) => f[who][metric] ?? 0));
      const max = Math.max(...values);
      ROWS.forEach(({ row }, i) => {
        for (const who of VIEWS) put(cell(row, who, metric), figures[i][who][metric], format, max);
      });
    }
    ROWS.forEach(({ row }, i) => {
      for (const who of VIEWS) put(cell(row, who, "events"), figures[i][who].events, String, 0);
    });
  }

  function compare(element, { statsUrl = "/stats", intervalMs = 2000 } = {}) {
    const { status, reset, table } = render(element);
    let latest = null; // the newest /stats transports
    let base = null; // { at, page: Map(view -> stats copy), server: transports }
    let wantWindow = true; // open a (new) window with the next /stats answer
    let readAt = null;
    let timer = null;
    let inFlight = false;
    let stopped = false;

    const transportOf = (row) => views.find((view) => view.element.dataset.transport === row);

    function openWindow(transports) {
      base = { at: new Date(), page: new Map(), server: transports };
      for (const view of views) base.page.set(view, { ...view.stats });
      element.dataset.since = base.at.toTimeString().slice(0, 8);
      wantWindow = false;
    }

    function update() {
      if (!base) return;
      const figures = ROWS.map(({ row, server }) => {
        const view = transportOf(row);
        return {
          page: pageFigures(view, (view && base.page.get(view)) ?? ZERO_PAGE),
          server: serverFigures(latest?.[server], base.server[server] ?? ZERO_SERVER),
        };
      });
      fill(table, figures);
      const seconds = Math.round((Date.now() - base.at) / 1000);
      const read = readAt ? `, server read ${Math.round((Date.now() - readAt) / 1000)} s ago` : "";
      status.textContent = `window: since ${element.dataset.since} (${seconds} s)${read}`;
    }

    async function readStats() {
      inFlight = true;
      try {
        const response = await fetch(statsUrl, { cache: "no-store", signal: AbortSignal.timeout(5000) });
        if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
        const { transports } = await response.json();
        latest = transports;
        readAt = Date.now();
        if (wantWindow) openWindow(transports);
        update();
      } catch (error) {
        status.textContent = `GET ${statsUrl} failed (${error.message}); trying again`;
      } finally {
        inFlight = false;
        schedule(intervalMs);
      }
    }

    function schedule(ms) {
      clearTimeout(timer);
      if (!stopped) timer = setTimeout(readStats, ms);
    }

    reset.addEventListener("click", () => {
      wantWindow = true;
      if (!inFlight) schedule(0); // else the answer on its way opens it
    });

    schedule(WINDOW_AFTER_MS);
    // The page's own counters move with every event: show them between reads.
    const repaint = setInterval(update, 1000);

    return {
      stop() {
        stopped = true;
        clearTimeout(timer);
        clearInterval(repaint);
      },
    };
  }

  Realtime.compare = compare;
})(window.Realtime);
