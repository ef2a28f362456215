"""One careful HTTP client for the public APIs: timeouts, retries with backoff, a rate limit, a cache.

Fetching is separate from loading: this module downloads raw responses and writes them
to the cache directory; the loaders read those files like any other.  Failures become
:class:`~graph.errors.FetchError` at exactly one boundary (:meth:`FetchClient.get`).
A connection that cannot be made fails at once — offline, retrying only makes the user
wait — while 429 and 5xx answers and broken bodies are retried with exponential backoff,
honouring ``Retry-After``.
"""

from __future__ import annotations

import email.utils
import hashlib
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from fetch.result import FetchResult
from graph.errors import FetchError
from graph.settings import FetchSettings

__all__ = ["Downloads", "FetchClient", "FetchSettings", "RateLimiter", "cache_name", "save_all"]

_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
USER_AGENT = "evidence-explorer/0.1 (+https://github.com/; evx fetch)"


class RateLimiter:
    """At most ``rate`` requests a second, spaced evenly (thread-safe)."""

    def __init__(
        self, rate: float, *, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self.interval = 1.0 / rate
        self._clock = clock
        self._sleep = sleep
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        with self._lock:
            now = self._clock()
            if self._next > now:
                self._sleep(self._next - now)
                now = self._next
            self._next = now + self.interval


class FetchClient:
    """GETs against one API base URL; use as a context manager."""

    def __init__(
        self,
        base_url: str,
        *,
        settings: FetchSettings,
        rate: float,
        service: str,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.settings = settings
        self.service = service
        self.limiter = RateLimiter(rate, sleep=sleep)
        self._sleep = sleep
        self._http = httpx.Client(
            timeout=httpx.Timeout(settings.timeout_s, connect=min(10.0, settings.timeout_s)),
            headers={"User-Agent": USER_AGENT},
            follow_redirects=True,
            transport=transport,
        )

    def __enter__(self) -> FetchClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self._http.close()

    def get(
        self, path: str, params: Mapping[str, Any] | None = None, *, check: Callable[[bytes], None] | None = None
    ) -> bytes:
        """The body of ``GET base/path``; ``check`` raises ``ValueError`` for a broken body (retried)."""
        url = f"{self.base_url}/{path.lstrip('/')}"
        attempts = self.settings.retries + 1
        last = ""
        for attempt in range(attempts):
            self.limiter.wait()
            try:
                response = self._http.get(url, params=params)
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
                raise FetchError(
                    f"cannot reach {self.service} at {self.base_url} ({_reason(exc)}). "
                    "Are you offline? Nothing was downloaded or stored; try again when connected, "
                    f"or load files you already have with `evx load`.",
                    url=url,
                ) from exc
            except httpx.TransportError as exc:  # read timeouts, dropped connections: worth another try
                last = f"{type(exc).__name__}: {_reason(exc)}"
                self._backoff(attempt, attempts, None)
                continue
            if response.status_code in _RETRY_STATUSES:
                last = f"HTTP {response.status_code}"
                self._backoff(attempt, attempts, response.headers.get("Retry-After"))
                continue
            if response.status_code == 404:
                raise FetchError(f"{self.service} has no such record: {url} (HTTP 404)", url=url, status=404)
            if response.status_code >= 400:
                detail = response.text[:200].strip()
                raise FetchError(
                    f"{self.service} refused the request {response.url} (HTTP {response.status_code}): {detail}",
                    url=url,
                    status=response.status_code,
                )
            body = response.content
            if check is not None:
                try:
                    check(body)
                except ValueError as exc:
                    last = f"broken response: {exc}"
                    self._backoff(attempt, attempts, None)
                    continue
            return body
        raise FetchError(
            f"{self.service} gave no usable answer for {url} after {attempts} attempts (last: {last}); "
            "nothing was stored. Try again later.",
            url=url,
        )

    def _backoff(self, attempt: int, attempts: int, retry_after: str | None) -> None:
        if attempt + 1 >= attempts:
            return
        wait = _retry_after_seconds(retry_after)
        if wait is None:
            wait = self.settings.backoff_s * (2**attempt)
        self._sleep(min(wait, self.settings.max_wait_s))


def _retry_after_seconds(value: str | None) -> float | None:
    """``Retry-After`` as seconds: a number, or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _reason(exc: Exception) -> str:
    return str(exc) or type(exc).__name__


def cache_name(*parts: object) -> str:
    """A short stable name for a request (query text and options) in the cache."""
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:12]


def save_all(files: list[tuple[Path, bytes]]) -> list[Path]:
    """Write every downloaded response (each atomically), only once all downloads succeeded."""
    written = []
    for path, body in files:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.part")
        tmp.write_bytes(body)
        tmp.replace(path)
        written.append(path)
    return written


@dataclass
class Downloads:
    """One fetch's bookkeeping: the files to load, in request order, and the bodies to save at the end.

    A file already in the cache is not downloaded again unless ``refresh``; nothing is written until
    every download has succeeded (:meth:`result`), so a failed fetch leaves the cache as it was.
    """

    refresh: bool = False
    files: list[Path] = field(default_factory=list)
    staged: list[tuple[Path, bytes]] = field(default_factory=list)
    cached: int = 0

    def file(self, target: Path, download: Callable[[], bytes]) -> None:
        """Keep ``target`` as a file to load: from the cache, else downloaded."""
        self.files.append(target)
        if self._in_cache(target):
            self.cached += 1
        else:
            self.staged.append((target, download()))

    def body(self, target: Path, download: Callable[[], bytes], *, load: bool = True) -> bytes:
        """The body of ``target`` (cached or downloaded); ``load=False`` for a response that is not a record."""
        if load:
            self.files.append(target)
        if self._in_cache(target):
            self.cached += load
            return target.read_bytes()
        body = download()
        self.staged.append((target, body))
        return body

    def result(self) -> FetchResult:
        saved = save_all(self.staged)
        return FetchResult(files=self.files, downloaded=len(self.staged), cached=self.cached, saved=saved)

    def _in_cache(self, target: Path) -> bool:
        return target.exists() and not self.refresh
