"""A webhook receiver for the bench, in a child process: answers 204 to every POST and counts
them (``GET /stats``: the count and the first and last arrival times, ``POST /reset``)."""

from __future__ import annotations

import argparse
import asyncio
import json
import time


class Counter:
    def __init__(self) -> None:
        self.count = 0
        self.first = 0.0
        self.last = 0.0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while line := await reader.readline():
                method, path, _ = line.decode().split(" ", 2)
                length = 0
                while (raw := await reader.readline()) not in (b"\r\n", b""):
                    name, _, value = raw.decode().partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value)
                await reader.readexactly(length)
                body = b""
                if path == "/stats":
                    body = json.dumps(
                        {"count": self.count, "first": self.first, "last": self.last}
                    ).encode()
                elif path == "/reset":
                    self.count, self.first, self.last = 0, 0.0, 0.0
                elif method == "POST":
                    now = time.perf_counter()
                    self.first = self.first or now
                    self.last = now
                    self.count += 1
                status = "200 OK" if body or method == "GET" else "204 No Content"
                writer.write(
                    f"HTTP/1.1 {status}\r\ncontent-length: {len(body)}\r\n\r\n".encode() + body
                )
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            writer.close()


async def serve(port: int) -> None:
    counter = Counter()
    server = await asyncio.start_server(counter.handle, "127.0.0.1", port, backlog=1024)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    asyncio.run(serve(parser.parse_args().port))
