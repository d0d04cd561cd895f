#!/usr/bin/env python3
"""Holds N keep-alive connections open to an HTTP server, idle after one GET each, until SIGTERM.

    idle_connections.py PORT N READY_FILE

Each connection sends `GET /v1/health` once and waits (up to 5 s in all) for its answer; then all stay
open without sending anything. READY_FILE gets "<answered> <opened>" once the connections are set up.
Used by server_authorizations.sh to measure the server with idle clients alongside the load.
"""
import select
import signal
import socket
import sys
import time

port, count, ready_file = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
request = b"GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
connections = []
for _ in range(count):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(request)
    connections.append(s)
waiting = set(connections)
answered = 0
deadline = time.monotonic() + 5
while waiting and time.monotonic() < deadline:
    readable, _, _ = select.select(list(waiting), [], [], max(0.0, deadline - time.monotonic()))
    for s in readable:
        if b"\r\n\r\n" in s.recv(65536):  # the small health answer arrives in one piece
            answered += 1
        waiting.discard(s)
with open(ready_file, "w") as out:
    out.write(f"{answered} {count}\n")
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
while True:
    time.sleep(3600)
