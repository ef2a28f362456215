"""Fetching records from public APIs; separate from loading, and never done by a loader.

``fetch_ctgov`` and ``fetch_pubmed`` download raw responses into the cache directory and
return the files; ``evx fetch`` then loads them exactly as ``evx load`` would.
"""

from __future__ import annotations

from loaders.fetch.client import FetchClient, FetchSettings, RateLimiter
from loaders.fetch.ctgov import fetch_ctgov
from loaders.fetch.pubmed import fetch_pubmed
from loaders.fetch.result import FetchResult, Progress

__all__ = ["FetchClient", "FetchResult", "FetchSettings", "Progress", "RateLimiter", "fetch_ctgov", "fetch_pubmed"]
