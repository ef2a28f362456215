"""Fetching records from public APIs; separate from loading, and never done by a loader.

``fetch_ctgov`` and ``fetch_pubmed`` download raw responses into the cache directory and
return the files; ``evx fetch`` then loads them exactly as ``evx load`` would.
"""

from __future__ import annotations

from fetch.client import FetchClient, FetchSettings, RateLimiter
from fetch.ctgov import fetch_ctgov
from fetch.pubmed import fetch_pubmed
from fetch.result import FetchResult, Progress

__all__ = ["FetchClient", "FetchResult", "FetchSettings", "Progress", "RateLimiter", "fetch_ctgov", "fetch_pubmed"]
