"""A local HTTP server that replays recorded API responses (tests never touch the network).

Routes map a path (``/api/v2/studies/NCT90000001``) to a list of responses served in
order; the last one repeats.  A response is (status, body file or bytes, headers).
Every request is recorded, so tests can assert what was asked and how often.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

REPLAY = Path(__file__).resolve().parent.parent / "data" / "replay"


@dataclass
class Reply:
    status: int = 200
    body: bytes | Path = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"

    def payload(self) -> bytes:
        return self.body.read_bytes() if isinstance(self.body, Path) else self.body


@dataclass
class Replay:
    routes: dict[str, list[Reply]]
    requests: list[tuple[str, dict[str, list[str]]]] = field(default_factory=list)
    base: str = ""

    def count(self, path: str) -> int:
        return sum(1 for p, _ in self.requests if p == path)


@contextmanager
def replay_server(routes: dict[str, list[Reply]]) -> Iterator[Replay]:
    state = Replay({k: list(v) for k, v in routes.items()})
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            with lock:
                state.requests.append((url.path, parse_qs(url.query)))
                queue = state.routes.get(url.path)
                reply = (queue.pop(0) if len(queue) > 1 else queue[0]) if queue else Reply(404, b"{}")
            body = reply.payload()
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(body)))
            for key, value in reply.headers.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
