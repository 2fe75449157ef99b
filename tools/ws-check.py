#!/usr/bin/env python3
"""A real WebSocket client (the `websockets` package from PyPI) against `tacho serve`'s
GET /api/v1/ws, driven by Tests/ServerTests/WebSocketClientTests.swift.

    tools/ws-check.py PORT resume   receive, disconnect, resume with since: exactly once
    tools/ws-check.py PORT hold     stay connected until the server shuts down: closed with 1001
    tools/ws-check.py PORT lagged [BATCHES]   a reader keeps up; a client that stops reading is cut off with `lagged`

Prints one JSON object with what it saw; the Swift test checks it. Exits 3 when the
`websockets` package is missing (the test then skips), 2 on a scenario failure it
can describe, every read has a deadline.
"""
import json
import socket
import sys
import time
import urllib.request

try:
    from websockets.exceptions import ConnectionClosed
    from websockets.sync.client import connect
except ImportError:
    print(json.dumps({"skip": "the Python package 'websockets' is not installed (pip install websockets)"}))
    sys.exit(3)

PORT = int(sys.argv[1])
SCENARIO = sys.argv[2]
BASE_TS = 1_767_261_600_000_000_000  # 2026-01-01T10:00:00Z


def post(lines):
    body = "\n".join(lines).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{PORT}/api/v1/events", data=body, method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def alert(alert_id, seconds, message="m"):
    return json.dumps({"type": "alert", "ts": BASE_TS + int(seconds * 1e9), "id": alert_id,
                       "severity": "warning", "kind": "test", "message": message})


def receive_until(ws, wanted_ids, deadline_s, linger_s=0.0):
    """Messages until every wanted alert id was seen (then `linger_s` more), or the deadline."""
    seen = []
    end = time.monotonic() + deadline_s
    linger_end = None
    while time.monotonic() < end:
        timeout = max(0.01, (linger_end or end) - time.monotonic())
        try:
            message = json.loads(ws.recv(timeout=timeout))
        except TimeoutError:
            if linger_end is not None:
                break
            continue
        seen.append(message)
        ids = {m["data"].get("id") for m in seen if m.get("type") == "alert"}
        if linger_end is None and wanted_ids <= ids:
            linger_end = time.monotonic() + linger_s
        if linger_end is not None and time.monotonic() >= linger_end:
            break
    return seen


def summary(messages):
    return [{"type": m.get("type"), "offset": m.get("offset"),
             "id": m["data"].get("id") if m.get("type") == "alert" else None} for m in messages]


def resume():
    out = {}
    uri = f"ws://127.0.0.1:{PORT}/api/v1/ws"
    with connect(uri, max_size=None, open_timeout=10) as ws:
        ws.send(json.dumps({"type": "ping"}))
        out["pong"] = json.loads(ws.recv(timeout=10))
        for i in range(5):
            post([alert(f"x{i}", i)])
        first = receive_until(ws, {f"x{i}" for i in range(5)}, 30)
    out["first"] = summary(first)
    last_offset = max(m["offset"] for m in first if m.get("offset") is not None)
    out["lastOffset"] = last_offset
    for i in range(5):
        post([alert(f"y{i}", 10 + i)])
    with connect(uri, max_size=None, open_timeout=10) as ws:
        ws.send(json.dumps({"type": "resume", "since": last_offset}))
        for i in range(3):
            post([alert(f"z{i}", 20 + i)])
        wanted = {f"y{i}" for i in range(5)} | {f"z{i}" for i in range(3)}
        second = receive_until(ws, wanted, 30, linger_s=1.5)
        ws.send(json.dumps({"type": "request_metrics"}))
        ws.send(json.dumps({"type": "resume", "since": 0}))
        ws.send("not json")
        replies = []
        end = time.monotonic() + 10
        # Two errors and a metrics message: counted by type, since the live stream's own
        # metrics summaries (one a second) arrive among the replies on a slow run.
        def short():
            kinds = [r.get("type") for r in replies]
            return kinds.count("error") < 2 or kinds.count("metrics") < 1
        while short() and time.monotonic() < end:
            try:
                replies.append(json.loads(ws.recv(timeout=max(0.01, end - time.monotonic()))))
            except TimeoutError:
                break
    out["second"] = summary(second)
    metrics = [r for r in replies if r.get("type") == "metrics"]
    out["metricsReply"] = {"offset": metrics[0]["offset"], "hasRps": "rps" in metrics[0]["data"]} if metrics else None
    out["errors"] = [r["detail"] for r in replies if r.get("type") == "error"]
    print(json.dumps(out))


def lagged():
    """Two clients through the same flood of small batches: one reads as messages come
    and keeps up; the other opens with a tiny receive buffer and stops reading, so the
    server's queue for it overflows; afterwards it reads what is left."""
    import threading
    out = {}
    uri = f"ws://127.0.0.1:{PORT}/api/v1/ws"
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", PORT))
    stopped = connect(uri, sock=sock, max_size=None, max_queue=4, open_timeout=10)
    stopped.send(json.dumps({"type": "ping"}))
    reader = connect(uri, max_size=None, open_timeout=10)
    reader.send(json.dumps({"type": "ping"}))
    read = {"alerts": set(), "types": [], "closed": None}
    done = threading.Event()

    def follow():
        try:
            while True:
                if done.is_set() and len(read["alerts"]) >= read.get("expected", 0):
                    return
                try:
                    message = json.loads(reader.recv(timeout=5))
                except TimeoutError:
                    if done.is_set():
                        return
                    continue
                read["types"].append(message.get("type"))
                if message.get("type") == "alert":
                    read["alerts"].add(message["data"].get("id"))
        except ConnectionClosed as closed:
            read["closed"] = closed.rcvd.code if closed.rcvd else None

    thread = threading.Thread(target=follow)
    thread.start()
    # 800 × 4 alerts of 4 KB: about 14 MB, more than the kernel's socket buffers
    # (tcp_wmem's 4 MiB at most), the client library's queue and the server's 3 MiB
    # queue for the client can hold together.
    batches, per_batch = int(sys.argv[3]) if len(sys.argv) > 3 else 800, 4
    for batch in range(batches):
        post([alert(f"flood-{batch}-{i}", batch * 0.001, message="x" * 4000) for i in range(per_batch)])
    out["posted"] = batches * per_batch
    read["expected"] = out["posted"]
    done.set()
    thread.join(timeout=60)
    reader.close()
    out["readerAlerts"] = len(read["alerts"])
    out["readerLagged"] = "lagged" in read["types"]
    received = []
    close_code = None
    end = time.monotonic() + 30
    try:
        while time.monotonic() < end:
            received.append(json.loads(stopped.recv(timeout=max(0.01, end - time.monotonic()))))
    except ConnectionClosed as closed:
        close_code = closed.rcvd.code if closed.rcvd else None
    except TimeoutError:
        pass
    stopped.close()
    out["received"] = len(received)
    out["lastType"] = received[-1].get("type") if received else None
    out["lastOffset"] = received[-1].get("offset") if received else None
    out["closeCode"] = close_code
    print(json.dumps(out))


def hold():
    """Stays connected until the server closes; prints READY once live."""
    with connect(f"ws://127.0.0.1:{PORT}/api/v1/ws", max_size=None, open_timeout=10) as ws:
        ws.send(json.dumps({"type": "ping"}))
        while json.loads(ws.recv(timeout=10)).get("type") != "pong":
            pass
        print("READY", flush=True)
        code = None
        end = time.monotonic() + 60
        try:
            while time.monotonic() < end:
                ws.recv(timeout=max(0.01, end - time.monotonic()))
        except ConnectionClosed as closed:
            code = closed.rcvd.code if closed.rcvd else None
        except TimeoutError:
            pass
    print(json.dumps({"closeCode": code}), flush=True)


if SCENARIO == "hold":
    hold()
elif SCENARIO == "resume":
    resume()
elif SCENARIO == "lagged":
    lagged()
else:
    print(json.dumps({"error": f"unknown scenario {SCENARIO}"}))
    sys.exit(2)
