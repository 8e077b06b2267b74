// panels/websocket.js: the browser side of the `realtime` lessons, part 5
// of 6: WebSocket (lessons 5 to 7). frameBytes() for the echo page, feed()
// for the chat page, and the playground's WebSocket panel built on feed().
// Uses panel() and the helpers of core.js, which GET /panels.js serves
// before this file.
(function (Realtime) {
  "use strict";

  const { panel } = Realtime;
  const { batch, rememberPublish, publishToken } = Realtime.core;
  const utf8 = new TextEncoder();

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
  //     onServer(name, bytes), // lesson 10: which server this socket reached
  //   }) -> { send(text), stop(), lastId, socket }
  //
  // A server started with --name (lesson 10) first sends {"server":"NAME"}:
  // not an event (no id), so it goes to onServer, never to onEvents.
  // ---------------------------------------------------------------------
  function feed(path, { onState = () => {}, onEvents = () => {}, onNote = () => {}, onServer = () => {} } = {}) {
    let socket = null;
    let lastId = 0;
    let attempt = 0; // reconnections since the last open
    let retryTimer = null;
    let stopped = false;

    // On join the server replays the history, one message per event:
    // hand them over in one call per burst.
    const queue = batch(onEvents);

    // Lesson 11: {"auth":"Bearer"} from a server started with --publish-token:
    // reading is free, but what we send is published only after "Bearer TOKEN".
    let challenged = false;
    let answered = false;
    function answerChallenge() {
      const token = publishToken.get();
      if (challenged && !answered && token) {
        socket.send(`Bearer ${token}`);
        answered = true;
      }
      return !challenged || answered;
    }

    function receive(event) {
      const message = JSON.parse(event.data);
      const bytes = frameBytes(utf8.encode(event.data).length);
      if ("server" in message && !("id" in message)) return onServer(message.server, bytes);
      if ("auth" in message && !("id" in message)) {
        challenged = true;
        return answerChallenge();
      }
      const { id, data } = message;
      // Ids grow by 1, so a jump is a gap: events trimmed from the history, or
      // (lesson 10) ids skipped after a Redis that lost its data.
      if (id <= lastId) {
        onNote(`— the server restarted: event ids start again at ${id} —`);
      } else if (lastId > 0 && id > lastId + 1) {
        onNote(`— the log skips from ${lastId} to ${id}: what was between is not kept —`);
      }
      lastId = id;
      queue({ id, data, bytes });
    }

    function connect() {
      retryTimer = null;
      const url = socketUrl(path, lastId);
      socket = new WebSocket(url);
      onState("connecting", `connecting to ${url}`);

      socket.onopen = () => {
        attempt = 0;
        challenged = answered = false;
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
        // 1008 (Policy Violation): the token was wrong, or a message went first.
        if (event.code === 1008) publishToken.forget();
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
        if (challenged && !answered && !publishToken.get()) {
          publishToken.ask("Sending on this socket needs a token.");
        }
        if (!answerChallenge()) return false;
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
  // A section with data-send also gets a box whose text goes up the socket.
  // ---------------------------------------------------------------------
  const WEBSOCKET = {
    title: "WebSocket",
    counters: {
      requests: { label: "connections" },
      empty: {
        label: "pings (hidden)",
        title: "The browser answers the server's pings itself: a script never sees them",
      },
      bytes: { label: "bytes (frames)" },
    },
  };

  function websocket(element, { url = "/ws" } = {}) {
    const extra = "send" in element.dataset ? sendBox : undefined;
    const view = panel(element, { ...WEBSOCKET, extra });

    const socket = feed(url, {
      onState(state, text) {
        if (state === "connecting") view.sent();
        view.state(state, text);
      },
      onEvents(events) {
        view.received(events.reduce((sum, event) => sum + event.bytes, 0), { empty: false });
        view.show(events);
        view.lastId(String(socket.lastId));
      },
      onNote: view.note,
      // Per connection: a reconnection goes through the balancer again, may
      // land on another server, and resumes there with ?since= (ids are shared).
      onServer(name, bytes) {
        view.received(bytes, { empty: false });
        const was = view.server(name);
        if (was && was !== name) view.note(`— now on ${name} (was ${was}) —`);
      },
    });

    const form = element.querySelector("form.send");
    if (form) sendForm(form, socket);
    return socket;
  }

  // The send box's markup:
  //   <form class="send row"><input name="text"><button>Send</button><output></output></form>
  function sendBox() {
    const form = document.createElement("form");
    form.className = "send row";
    form.title = "Sent as a text message over this panel's WebSocket; the server publishes it";
    const input = Object.assign(document.createElement("input"), {
      name: "text",
      placeholder: "…or send over the WebSocket",
      autocomplete: "off",
      required: true,
    });
    const button = Object.assign(document.createElement("button"), { textContent: "Send" });
    form.append(input, button, document.createElement("output"));
    return form;
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

  Object.assign(Realtime, { websocket, feed, frameBytes });
})(window.Realtime);
