"""``python -m ui.web.serve run app.py …``: Streamlit's own command line, with its connections sent at once.

Streamlit (1.67, its Starlette server) binds the listening socket itself as ``socket.socket(family)``.
Such a socket's protocol number is 0, so asyncio does not switch Nagle's algorithm off on the
connections it accepts (it only does for sockets whose protocol reads ``IPPROTO_TCP``).  Every
response but the first on a kept-alive connection then waits for the browser's delayed
acknowledgement of its headers before its body goes out: about 40 ms for each of the 70 script
files a page open fetches, six connections at a time, and for websocket messages that follow
one another.  Here the listening socket gets ``TCP_NODELAY``, which the connections it accepts
inherit (Linux and the BSDs copy it to the accepted socket).
"""

from __future__ import annotations

import socket
import sys
from collections.abc import Callable

__all__ = ["install", "main"]


def _no_delay(bind: Callable[[str, int, int], socket.socket]) -> Callable[[str, int, int], socket.socket]:
    def bind_socket(address: str, port: int, backlog: int) -> socket.socket:
        sock = bind(address, port, backlog)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock

    bind_socket.evx_no_delay = True  # type: ignore[attr-defined]
    return bind_socket


def install() -> bool:
    """Wrap Streamlit's socket binding so accepted connections send at once; whether it was there to wrap."""
    try:
        from streamlit.web.server.starlette import starlette_server
    except ImportError:  # a Streamlit without its Starlette server: nothing of this kind to fix
        return False
    bind = getattr(starlette_server, "_bind_socket", None)
    if bind is None:
        return False
    if not getattr(bind, "evx_no_delay", False):
        starlette_server._bind_socket = _no_delay(bind)
    return True


def main() -> None:
    """Run Streamlit's command line (``sys.argv[1:]``, e.g. ``run ui/web/app.py --server.port 8501``)."""
    install()
    from streamlit.web.cli import main as streamlit_main

    sys.argv[0] = "streamlit"
    streamlit_main()


if __name__ == "__main__":
    main()
