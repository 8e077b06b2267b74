#!/usr/bin/env python3
"""A third-party client against the realtime server: Python's `websockets` package.

Run by `tests/lesson_07_interop.rs` (which starts the server, publishes two events and
reads this script's output) with the interpreter of a virtualenv that has `websockets`:

    target/interop-venv/bin/python tests/interop/websockets_client.py 127.0.0.1:PORT

It prints one `ok <check>` line per check and `all ok` at the end; any failed check
raises, so the exit status is not 0. Every wait has a timeout.

Our own tests write frames by hand; this client was written by someone else, from the same
RFC, so the two sides agreeing is evidence that both read it the same way.
"""

import json
import sys
import time
import urllib.request

from websockets.sync.client import connect

TIMEOUT = 5  # seconds, for every wait
OPTIONS = dict(
    open_timeout=TIMEOUT,
    close_timeout=TIMEOUT,
    ping_interval=None,  # no keepalive pings of its own; the server's are answered anyway
    max_size=4 * 2**20,
    proxy=None,  # 127.0.0.1 only, whatever the environment says
)


def check(condition, what):
    if not condition:
        raise AssertionError(f"failed: {what}")
    print(f"ok {what}", flush=True)


def event(message):
    return json.loads(message)


def echo(base):
    with connect(f"{base}/ws/echo", **OPTIONS) as ws:
        offered = ws.request.headers.get("Sec-WebSocket-Extensions", "")
        agreed = ws.response.headers.get("Sec-WebSocket-Extensions")
        check("permessage-deflate" in offered and agreed is None,
              "permessage-deflate offered and not agreed")

        ws.send("héllo, wörld 🌍")
        check(ws.recv(timeout=TIMEOUT) == "héllo, wörld 🌍", "echo text")
        ws.send("")
        check(ws.recv(timeout=TIMEOUT) == "", "echo empty text")
        ws.send(b"\x00\x01\xfe\xff")
        check(ws.recv(timeout=TIMEOUT) == b"\x00\x01\xfe\xff", "echo binary")
        big = bytes(range(256)) * 4096  # 1 MiB, 64-bit length form both ways
        ws.send(big)
        check(ws.recv(timeout=TIMEOUT) == big, "echo 1 MiB binary")

        pong = ws.ping(b"interop")
        check(pong.wait(TIMEOUT), "ping answered by a pong with its payload")

        ws.send(["frag", "mented ", "méssage"])  # an iterable goes out as fragments
        check(ws.recv(timeout=TIMEOUT) == "fragmented méssage", "fragmented text")
        ws.send([b"\x01\x02", b"", b"\x03"])
        check(ws.recv(timeout=TIMEOUT) == b"\x01\x02\x03", "fragmented binary")

        # The server pings after 150 ms of silence and drops a peer that stays silent
        # 500 ms more (dropped by 800 ms or so); the client answers in its background thread.
        time.sleep(1.5)
        ws.send("still here")
        check(ws.recv(timeout=TIMEOUT) == "still here", "server pings answered by the client")

        ws.close(1000, "done")
        check(ws.close_code == 1000, f"clean close, the server echoed 1000 (got {ws.close_code})")


def feed(base, http):
    with connect(f"{base}/ws", **OPTIONS) as ws:
        history = [event(ws.recv(timeout=TIMEOUT)) for _ in range(2)]
        check(history == [{"id": 1, "data": "history one"}, {"id": 2, "data": "history two"}],
              "history on /ws")
        ws.send("from python")
        check(event(ws.recv(timeout=TIMEOUT)) == {"id": 3, "data": "from python"},
              "a text message sent on /ws is published")
        no_proxy = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with no_proxy.open(f"{http}/publish", data=b"posted", timeout=TIMEOUT) as answer:
            check(json.load(answer) == {"id": 4}, "POST /publish")
        check(event(ws.recv(timeout=TIMEOUT)) == {"id": 4, "data": "posted"},
              "a published event arrives on /ws")
        ws.close()
        check(ws.close_code == 1000, "clean close of /ws")

    with connect(f"{base}/ws?since=3", **OPTIONS) as ws:
        check(event(ws.recv(timeout=TIMEOUT))["id"] == 4, "/ws?since=3 resumes after 3")


def main():
    address = sys.argv[1]
    echo(f"ws://{address}")
    feed(f"ws://{address}", f"http://{address}")
    print("all ok", flush=True)


if __name__ == "__main__":
    main()
