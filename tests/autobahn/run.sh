#!/usr/bin/env bash
# Autobahn|Testsuite, cases 1-10, against GET /ws/echo of `06_websocket_echo`.
#
#   bash tests/autobahn/run.sh          # about 15 s once installed; report in target/autobahn
#
# Autobahn|Testsuite (`wstest -m fuzzingclient`) is the standard WebSocket conformance
# suite: about 300 cases of framing, pings, fragmentation, UTF-8, limits and closing. It
# runs on Python 2.7, so this script finds a Python 2.7 (pyenv's, or one on PATH),
# installs `autobahntestsuite` from PyPI into a virtualenv under target/autobahn/venv the
# first time, builds and starts the echo example on a free port, runs the cases, and
# prints a summary of target/autobahn/report/index.json. It fails when a case is neither
# OK nor INFORMATIONAL (NON-STRICT fails too), or its closing behaviour was not clean; the HTML
# report is target/autobahn/report/index.html.
set -euo pipefail
cd "$(dirname "$0")/../.."

AUTOBAHN_VERSION=25.10.1
out=target/autobahn
venv=$out/venv

find_python2() {
    local candidate
    for candidate in "${PYTHON2:-}" "$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")"/versions/2.7*/bin/python2.7 \
        /usr/bin/python2.7 /usr/local/bin/python2.7; do
        if [ -n "$candidate" ] && [ -x "$candidate" ] && "$candidate" -c 'import sys; assert sys.version_info[:2] == (2, 7)' 2>/dev/null; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

if [ ! -x "$venv/bin/wstest" ]; then
    python2=$(find_python2) || {
        echo "autobahn: no Python 2.7 found (set PYTHON2, or: pyenv install 2.7.18)" >&2
        exit 1
    }
    echo "autobahn: installing autobahntestsuite $AUTOBAHN_VERSION with $python2" >&2
    rm -rf "$venv" "$out/virtualenv"
    "$python2" -m pip install --quiet --disable-pip-version-check --target "$out/virtualenv" 'virtualenv<20.22' >&2
    PYTHONPATH="$out/virtualenv" "$python2" -m virtualenv --quiet "$venv" >&2
    "$venv/bin/pip" install --quiet --disable-pip-version-check "autobahntestsuite==$AUTOBAHN_VERSION" 2>&1 \
        | grep -v DEPRECATION >&2 || true
    [ -x "$venv/bin/wstest" ] || { echo "autobahn: wstest did not install" >&2; exit 1; }
fi

cargo build --quiet --release --example 06_websocket_echo
rm -rf "$out/report"
mkdir -p "$out"
target/release/examples/06_websocket_echo --addr 127.0.0.1:0 >"$out/server.out" 2>"$out/server.err" &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
for _ in $(seq 50); do
    grep -q '^listening on' "$out/server.out" && break
    sleep 0.1
done
port=$(sed -n 's|^listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$out/server.out")
[ -n "$port" ] || { echo "autobahn: the echo server did not start" >&2; exit 1; }

cat >"$out/fuzzingclient.json" <<JSON
{
  "outdir": "$PWD/$out/report",
  "servers": [{"agent": "realtime", "url": "ws://127.0.0.1:$port/ws/echo"}],
  "cases": ["1.*", "2.*", "3.*", "4.*", "5.*", "6.*", "7.*", "8.*", "9.*", "10.*"],
  "exclude-cases": [],
  "exclude-agent-cases": {}
}
JSON
echo "autobahn: cases 1-10 against ws://127.0.0.1:$port/ws/echo" >&2
(cd "$out" && timeout 900 "$PWD/venv/bin/wstest" -m fuzzingclient -s fuzzingclient.json) >"$out/wstest.log" 2>&1 || {
    tail -20 "$out/wstest.log" >&2
    echo "autobahn: wstest failed" >&2
    exit 1
}

python3 - "$out/report/index.json" <<'PY' >&2
import collections, json, sys
cases = json.load(open(sys.argv[1]))["realtime"]
passing = {"OK", "INFORMATIONAL"}  # NON-STRICT fails too: the checks must be strict
counts = collections.Counter(case["behavior"] for case in cases.values())
bad = sorted(
    (name, case["behavior"], case["behaviorClose"])
    for name, case in cases.items()
    if case["behavior"] not in passing or case["behaviorClose"] not in {"OK", "INFORMATIONAL"}
)
notable = sorted(name for name, case in cases.items() if case["behavior"] != "OK")
print("autobahn: %d cases: %s" % (len(cases), ", ".join("%s %d" % kv for kv in sorted(counts.items()))))
print("autobahn: not plain OK: %s" % (", ".join(notable) or "none"))
for name, behavior, close in bad:
    print("autobahn: FAILED %s: %s, close %s" % (name, behavior, close))
sys.exit(1 if bad else 0)
PY
