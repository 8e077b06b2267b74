#!/usr/bin/env python3
"""A third-party event-stream client against the realtime server: Python's `httpx-sse`.

Run by `tests/lesson_04_interop.rs` (which starts the server, publishes events around
heartbeats and reads this script's output) with the interpreter of a virtualenv that has
`httpx` and `httpx-sse`:

    target/interop-venv/bin/python tests/interop/httpx_sse_client.py 127.0.0.1:PORT LAST

It opens `/events` and prints `open STATUS CONTENT-TYPE` once the head has come, then one
line for every event that `EventSource.iter_sse()` yields, its id, event type and data as
JSON strings separated by tabs:

    event	"1"	"message"	"one"

and exits 0 after the event whose data is LAST. It judges nothing: what the library yields
is the test's to check. Every wait has a timeout.

A browser drops a block whose data buffer is empty (WHATWG HTML,
`#event-stream-interpretation`, "dispatch the event"); httpx-sse 0.4.3 yields every block
that an empty line ends unless it set nothing at all, and it keeps the last id across
blocks, so an empty line after a `retry:` or a comment line reaches its caller as an event.
"""

import json
import sys

import httpx
from httpx_sse import connect_sse

TIMEOUT = 5  # seconds, for every read; the server's heartbeats come far more often


def main():
    address, last = sys.argv[1], sys.argv[2]
    # trust_env=False: 127.0.0.1 only, whatever proxy the environment names.
    with httpx.Client(timeout=TIMEOUT, trust_env=False) as client:
        with connect_sse(client, "GET", f"http://{address}/events") as source:
            head = source.response
            print(f"open {head.status_code} {head.headers.get('content-type')}", flush=True)
            for sse in source.iter_sse():
                fields = [json.dumps(value) for value in (sse.id, sse.event, sse.data)]
                print("\t".join(["event", *fields]), flush=True)
                if sse.data == last:
                    return
    sys.exit("the stream ended before the last event")


if __name__ == "__main__":
    main()
