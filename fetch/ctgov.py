"""Download ClinicalTrials.gov API v2 records: by NCT id (one file each) or by a search (one file a page).

Raw responses are saved under ``<cache>/ctgov/`` exactly as served, then loaded by
:class:`loaders.ctgov.CtgovLoader` like any file.  A record already in the cache is not
downloaded again unless ``refresh`` is asked for.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable

import httpx

from fetch.client import Downloads, FetchClient, FetchSettings, cache_name
from fetch.result import FetchResult, Progress
from graph.errors import FetchError
from graph.settings import Settings

__all__ = ["fetch_ctgov"]

_NCT = re.compile(r"^NCT\d{8}$")
PAGE_SIZE = 100


def _check_json(body: bytes) -> None:
    """Raise ``ValueError`` for a body that is not one complete JSON object (e.g. cut off)."""
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"not complete JSON ({exc})") from None
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object")


def fetch_ctgov(
    *,
    ids: list[str] | None = None,
    query: str | None = None,
    limit: int = 100,
    settings: FetchSettings | None = None,
    refresh: bool = False,
    progress: Progress | None = None,
    transport: httpx.BaseTransport | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> FetchResult:
    """Studies by NCT id, or the first ``limit`` studies matching ``query``; files saved, not loaded."""
    settings = settings or Settings.from_env().fetch
    if bool(ids) == bool(query):
        raise FetchError("give NCT ids or a query, not both and not neither")
    folder = settings.cache_dir / "ctgov"
    downloads = Downloads(refresh=refresh)
    with FetchClient(
        settings.ctgov_url,
        settings=settings,
        rate=settings.ctgov_rate,
        service="ClinicalTrials.gov",
        transport=transport,
        sleep=sleep,
    ) as client:
        if ids:
            wanted = [i.strip().upper() for i in ids]
            bad = [i for i in wanted if not _NCT.match(i)]
            if bad:
                raise FetchError(f"not NCT ids (NCT + 8 digits): {', '.join(bad)}")
            for done, nct in enumerate(dict.fromkeys(wanted), start=1):
                downloads.file(
                    folder / f"{nct}.json",
                    lambda nct=nct: client.get(f"studies/{nct}", {"format": "json"}, check=_check_json),
                )
                if progress:
                    progress(done, len(wanted))
        else:
            key = cache_name("ctgov", query, limit)
            token: str | None = None
            seen = 0
            page = 0
            total: int | None = None
            while seen < limit:
                page += 1
                params: dict[str, str | int] = {
                    "query.term": query or "",
                    "pageSize": min(limit, PAGE_SIZE),
                    "format": "json",
                    "countTotal": "true",
                }
                if token:
                    params["pageToken"] = token
                body = downloads.body(
                    folder / f"query-{key}-p{page}.json",
                    lambda params=params: client.get("studies", params, check=_check_json),
                )
                data = json.loads(body)
                studies = data.get("studies")
                if not isinstance(studies, list):
                    raise FetchError(f"ClinicalTrials.gov answered the search without a `studies` list (page {page})")
                seen += len(studies)
                if isinstance(data.get("totalCount"), int):
                    total = min(limit, data["totalCount"])
                if progress:
                    progress(min(seen, limit), total)
                token = data.get("nextPageToken")
                if not token or not studies:
                    break
    return downloads.result()
