"""Download PubMed records through NCBI E-utilities: efetch by PMID, or esearch then efetch.

Responses are saved under ``<cache>/pubmed/`` as served (``PubmedArticleSet`` XML), then
loaded by :class:`loaders.pubmed.PubmedLoader`.  NCBI allows 3 requests a second, or 10
with an API key; ``tool`` and ``email`` are sent as NCBI asks.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import Any

import httpx
from defusedxml import ElementTree as SafeET

from fetch.client import Downloads, FetchClient, FetchSettings, cache_name
from fetch.result import FetchResult, Progress
from graph.errors import FetchError
from graph.settings import Settings

__all__ = ["fetch_pubmed"]

_PMID = re.compile(r"^\d{1,9}$")
BATCH = 200  # PMIDs per efetch request: NCBI recommends batches of at most a few hundred


def _check_xml(body: bytes) -> None:
    """Raise ``ValueError`` for a body that is not a complete ``PubmedArticleSet``."""
    try:
        root = SafeET.fromstring(body)
    except SafeET.ParseError as exc:
        raise ValueError(f"not complete XML ({exc})") from None
    if root.tag != "PubmedArticleSet":
        raise ValueError(f"expected <PubmedArticleSet>, got <{root.tag}>")


def _check_json(body: bytes) -> None:
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"not complete JSON ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("esearchresult"), dict):
        raise ValueError("expected an esearchresult object")


def fetch_pubmed(
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
    """Articles by PMID, or the first ``limit`` matching ``query``; files saved, not loaded."""
    settings = settings or Settings.from_env().fetch
    if bool(ids) == bool(query):
        raise FetchError("give PMIDs or a query, not both and not neither")
    folder = settings.cache_dir / "pubmed"
    downloads = Downloads(refresh=refresh)
    common: dict[str, Any] = {"tool": "evidence-explorer"}
    if settings.ncbi_email:
        common["email"] = settings.ncbi_email
    if settings.ncbi_api_key:
        common["api_key"] = settings.ncbi_api_key
    with FetchClient(
        settings.pubmed_url,
        settings=settings,
        rate=settings.effective_pubmed_rate,
        service="PubMed (NCBI E-utilities)",
        transport=transport,
        sleep=sleep,
    ) as client:
        if query:
            params = {"db": "pubmed", "term": query, "retmax": limit, "retmode": "json", **common}
            body = downloads.body(
                folder / f"esearch-{cache_name('pubmed', query, limit)}.json",
                lambda: client.get("esearch.fcgi", params, check=_check_json),
                load=False,
            )
            result = json.loads(body)["esearchresult"]
            if result.get("ERROR"):
                raise FetchError(f"PubMed could not run the search {query!r}: {result['ERROR']}")
            pmids = [str(p) for p in result.get("idlist") or []][:limit]
        else:
            pmids = [i.strip() for i in ids or []]
            bad = [i for i in pmids if not _PMID.match(i)]
            if bad:
                raise FetchError(f"not PMIDs (digits only): {', '.join(bad)}")
        pmids = list(dict.fromkeys(pmids))
        for start in range(0, len(pmids), BATCH):
            batch = pmids[start : start + BATCH]
            name = f"{batch[0]}.xml" if len(batch) == 1 else f"efetch-{cache_name(*batch)}.xml"
            params = {"db": "pubmed", "id": ",".join(batch), "retmode": "xml", **common}
            downloads.file(folder / name, lambda params=params: client.get("efetch.fcgi", params, check=_check_xml))
            if progress:
                progress(start + len(batch), len(pmids))
    return downloads.result()
