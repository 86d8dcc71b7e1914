"""A load client efficient enough not to be the bottleneck: raw keep-alive HTTP/1.1 over
asyncio protocols, bodies counted, never copied or parsed.

    python -m benchmarks.load_client < spec.json    # prints one JSON line of results

The spec names the server (`host`, `port`), `connections`, the request `paths` (taken in
turn by whichever connection is free), and bounds: `requests` in all and `seconds` at
most. Each connection sends one request, reads the status line, the headers and exactly
Content-Length bytes, then sends the next. The result holds the requests done, the
seconds taken, throughput, latency p50/p90/p99 and the non-200 count.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

HEADER_END = b"\r\n\r\n"


class _Connection(asyncio.Protocol):
    def __init__(self) -> None:
        self.transport = None
        self.buffer = bytearray()
        self.need = -1  # body bytes still expected; -1 while reading headers
        self.status = 0
        self.done: asyncio.Future | None = None

    def connection_made(self, transport) -> None:
        self.transport = transport

    def request(self, path: str) -> asyncio.Future:
        self.done = asyncio.get_running_loop().create_future()
        self.buffer.clear()
        self.need = -1
        self.transport.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: */*\r\n\r\n".encode())
        return self.done

    def data_received(self, data: bytes) -> None:
        if self.need < 0:
            self.buffer += data
            end = self.buffer.find(HEADER_END)
            if end < 0:
                return
            head = bytes(self.buffer[:end]).lower()
            self.status = int(head[9:12])
            at = head.find(b"content-length:")
            end_of_line = head.find(b"\r\n", at)
            length = int(head[at + 15 : end_of_line if end_of_line >= 0 else len(head)]) if at >= 0 else 0
            self.need = length - (len(self.buffer) - end - 4)
            self.buffer.clear()
        else:
            self.need -= len(data)
        if self.need <= 0 and self.done is not None and not self.done.done():
            self.done.set_result(self.status)

    def connection_lost(self, exc) -> None:
        if self.done is not None and not self.done.done():
            self.done.set_exception(ConnectionError("connection lost"))


async def run(spec: dict) -> dict:
    loop = asyncio.get_running_loop()
    paths, limit = spec["paths"], int(spec["requests"])
    deadline = time.perf_counter() + float(spec["seconds"])
    latencies: list[float] = []
    errors = 0
    taken = 0

    async def worker() -> None:
        nonlocal errors, taken
        _, conn = await loop.create_connection(_Connection, spec["host"], spec["port"])
        try:
            while taken < limit and time.perf_counter() < deadline:
                path = paths[taken % len(paths)]
                taken += 1
                start = time.perf_counter()
                status = await conn.request(path)
                latencies.append(time.perf_counter() - start)
                if status != 200:
                    errors += 1
        finally:
            conn.transport.close()

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(int(spec["connections"]))))
    seconds = time.perf_counter() - start
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] if latencies else float("nan")

    return {
        "requests": len(latencies),
        "seconds": seconds,
        "throughput": len(latencies) / seconds if seconds else 0.0,
        "p50": pct(0.50),
        "p90": pct(0.90),
        "p99": pct(0.99),
        "errors": errors,
    }


def main() -> None:
    print(json.dumps(asyncio.run(run(json.loads(sys.stdin.read())))))


if __name__ == "__main__":
    main()
