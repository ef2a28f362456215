"""The explorer's server sends each response at once (no 40 ms wait on the browser's delayed ACK)."""

from __future__ import annotations

import socket

from ui.web import serve


def test_connections_the_server_accepts_have_nagle_off() -> None:
    assert serve.install(), "Streamlit no longer binds through starlette_server._bind_socket: look again"
    assert serve.install()  # twice is harmless: the binding is wrapped once
    from streamlit.web.server.starlette import starlette_server

    listening = starlette_server._bind_socket("127.0.0.1", 0, 8)
    try:
        listening.setblocking(True)
        with socket.create_connection(listening.getsockname()):
            accepted, _ = listening.accept()
            with accepted:
                assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
    finally:
        listening.close()


def test_without_the_fix_streamlit_would_leave_nagle_on() -> None:
    """Why the wrapper exists: a socket made as Streamlit makes it passes Nagle's algorithm on."""
    listening = socket.socket(family=socket.AF_INET)  # as starlette_server._bind_socket does
    try:
        listening.bind(("127.0.0.1", 0))
        listening.listen(8)
        with socket.create_connection(listening.getsockname()):
            accepted, _ = listening.accept()
            with accepted:
                assert accepted.proto == 0  # so asyncio does not set TCP_NODELAY on it
                assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0
    finally:
        listening.close()
