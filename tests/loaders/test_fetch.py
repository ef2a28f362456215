"""`evx fetch` against a local server replaying recorded API responses (never the network)."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from fetch import FetchSettings, RateLimiter, fetch_ctgov, fetch_pubmed
from fetch.client import _retry_after_seconds
from graph.errors import FetchError, LoadError
from graph.settings import Settings
from graph.store import open_store
from tests.loaders.replay import REPLAY, Reply, replay_server
from ui.cli.fetch import fetch_app

CTGOV = "/api/v2/studies"
STUDY = f"{CTGOV}/NCT90000001"
EFETCH = "/entrez/eutils/efetch.fcgi"
ESEARCH = "/entrez/eutils/esearch.fcgi"
XML = "text/xml"


def _settings(base: str, tmp_path: Path, **extra) -> FetchSettings:
    return FetchSettings(
        ctgov_url=f"{base}/api/v2",
        pubmed_url=f"{base}/entrez/eutils",
        cache_dir=tmp_path / "cache",
        backoff_s=0.01,
        retries=3,
        ctgov_rate=1000,
        pubmed_rate=1000,
        **extra,
    )


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_study_by_id_is_saved_as_served(tmp_path):
    with replay_server({STUDY: [Reply(body=REPLAY / "ctgov" / "study_NCT90000001.json")]}) as server:
        result = fetch_ctgov(ids=["nct90000001"], settings=_settings(server.base, tmp_path))
    assert result.files == [tmp_path / "cache" / "ctgov" / "NCT90000001.json"]
    assert result.files[0].read_bytes() == (REPLAY / "ctgov" / "study_NCT90000001.json").read_bytes()
    assert (result.downloaded, result.cached) == (1, 0)
    assert server.requests[0][1] == {"format": ["json"]}


def test_cached_records_are_not_downloaded_again(tmp_path):
    with replay_server({STUDY: [Reply(body=REPLAY / "ctgov" / "study_NCT90000001.json")]}) as server:
        fetch_ctgov(ids=["NCT90000001"], settings=_settings(server.base, tmp_path))
        again = fetch_ctgov(ids=["NCT90000001"], settings=_settings(server.base, tmp_path))
        assert server.count(STUDY) == 1
        assert (again.downloaded, again.cached) == (0, 1)
        fetch_ctgov(ids=["NCT90000001"], settings=_settings(server.base, tmp_path), refresh=True)
        assert server.count(STUDY) == 2


def test_429_and_500_are_retried_honouring_retry_after(tmp_path):
    waits: list[float] = []
    replies = [
        Reply(429, b'{"error":"slow down"}', {"Retry-After": "7"}),
        Reply(500, b"oops"),
        Reply(body=REPLAY / "ctgov" / "study_NCT90000001.json"),
    ]
    with replay_server({STUDY: replies}) as server:
        result = fetch_ctgov(ids=["NCT90000001"], settings=_settings(server.base, tmp_path), sleep=waits.append)
    assert server.count(STUDY) == 3
    assert waits[0] == 7  # Retry-After, not the backoff
    assert waits[1] == pytest.approx(0.02)  # exponential backoff: 0.01 * 2**1
    assert result.files[0].exists()


def test_persistent_server_errors_give_up_and_store_nothing(tmp_path):
    with (
        replay_server({STUDY: [Reply(503, b"down")]}) as server,
        pytest.raises(FetchError, match="after 4 attempts") as caught,
    ):
        fetch_ctgov(ids=["NCT90000001"], settings=_settings(server.base, tmp_path), sleep=lambda s: None)
    assert server.count(STUDY) == 4
    assert "HTTP 503" in str(caught.value)
    assert not (tmp_path / "cache").exists()


def test_truncated_json_is_retried_and_never_saved(tmp_path):
    truncated = Reply(body=REPLAY / "ctgov" / "study_NCT90000001_truncated.json")
    good = Reply(body=REPLAY / "ctgov" / "study_NCT90000001.json")
    with replay_server({STUDY: [truncated, good]}) as server:
        result = fetch_ctgov(ids=["NCT90000001"], settings=_settings(server.base, tmp_path), sleep=lambda s: None)
    assert server.count(STUDY) == 2
    assert result.files[0].read_bytes() == good.payload()
    with (
        replay_server({STUDY: [truncated]}) as server,
        pytest.raises(FetchError, match="broken response: not complete JSON"),
    ):
        fetch_ctgov(ids=["NCT90000001"], settings=_settings(server.base, tmp_path / "2"), sleep=lambda s: None)
    assert not (tmp_path / "2" / "cache").exists()


def test_not_found_is_not_retried(tmp_path):
    with replay_server({}) as server, pytest.raises(FetchError, match="no such record") as caught:
        fetch_ctgov(ids=["NCT99999999"], settings=_settings(server.base, tmp_path))
    assert caught.value.status == 404
    assert len(server.requests) == 1


def test_offline_fails_at_once_and_changes_nothing(tmp_path):
    settings = _settings(f"http://127.0.0.1:{_closed_port()}", tmp_path, timeout_s=30)
    started = time.perf_counter()
    with pytest.raises(FetchError, match=r"cannot reach ClinicalTrials\.gov .*Are you offline"):
        fetch_ctgov(ids=["NCT90000001"], settings=settings)
    with pytest.raises(FetchError, match="cannot reach PubMed"):
        fetch_pubmed(ids=["33434161"], settings=settings)
    assert time.perf_counter() - started < 3
    assert not (tmp_path / "cache").exists()


def test_one_failure_in_many_saves_none(tmp_path):
    routes = {STUDY: [Reply(body=REPLAY / "ctgov" / "study_NCT90000001.json")]}
    with replay_server(routes) as server, pytest.raises(FetchError):
        fetch_ctgov(ids=["NCT90000001", "NCT99999999"], settings=_settings(server.base, tmp_path))
    assert not (tmp_path / "cache" / "ctgov" / "NCT90000001.json").exists()


def test_search_follows_page_tokens(tmp_path):
    pages = [
        Reply(body=REPLAY / "ctgov" / "search_mecasermin_p1.json"),
        Reply(body=REPLAY / "ctgov" / "search_mecasermin_p2.json"),
    ]
    seen: list[tuple[int, int | None]] = []
    with replay_server({CTGOV: pages}) as server:
        result = fetch_ctgov(
            query="mecasermin",
            limit=5,
            settings=_settings(server.base, tmp_path),
            progress=lambda d, t: seen.append((d, t)),
        )
    first, second = (q for _, q in server.requests)
    assert first["query.term"] == ["mecasermin"] and "pageToken" not in first
    assert second["pageToken"] == ["NF0g5JGBlfY"]
    assert len(result.files) == 2 and all(p.name.startswith("query-") for p in result.files)
    assert seen == [(2, 3), (3, 3)]


def test_a_repeated_search_is_read_from_the_cache_without_a_server(tmp_path):
    pages = [
        Reply(body=REPLAY / "ctgov" / "search_mecasermin_p1.json"),
        Reply(body=REPLAY / "ctgov" / "search_mecasermin_p2.json"),
    ]
    with replay_server({CTGOV: pages}) as server:
        first = fetch_ctgov(query="mecasermin", limit=5, settings=_settings(server.base, tmp_path))
    offline = _settings(f"http://127.0.0.1:{_closed_port()}", tmp_path)
    again = fetch_ctgov(query="mecasermin", limit=5, settings=offline)  # the page tokens come from the cached pages
    assert again.files == first.files
    assert (again.downloaded, again.cached, again.saved) == (0, 2, [])
    with pytest.raises(FetchError, match="cannot reach"):
        fetch_ctgov(query="mecasermin", limit=5, settings=offline, refresh=True)
    assert [p.read_bytes() for p in again.files] == [r.payload() for r in pages]


def test_pubmed_search_then_fetch(tmp_path):
    routes = {
        ESEARCH: [Reply(body=REPLAY / "pubmed" / "esearch_mecasermin.json")],
        EFETCH: [
            Reply(body=REPLAY / "pubmed" / "efetch_33434161_truncated.xml", content_type=XML),
            Reply(body=REPLAY / "pubmed" / "efetch_33434161.xml", content_type=XML),
        ],
    }
    settings = _settings("", tmp_path, ncbi_email="researcher@example.org")
    with replay_server(routes) as server:
        settings = settings.model_copy(update={"pubmed_url": f"{server.base}/entrez/eutils"})
        result = fetch_pubmed(query="mecasermin hypoglycaemia", limit=10, settings=settings, sleep=lambda s: None)
    search, *fetches = server.requests
    assert search[1]["term"] == ["mecasermin hypoglycaemia"] and search[1]["tool"] == ["evidence-explorer"]
    assert search[1]["email"] == ["researcher@example.org"]
    assert len(fetches) == 2  # the truncated XML was retried
    assert fetches[-1][1]["id"] == ["33434161"] and fetches[-1][1]["db"] == ["pubmed"]
    assert result.files == [tmp_path / "cache" / "pubmed" / "33434161.xml"]
    assert any(p.name.startswith("esearch-") for p in result.saved)


def test_bad_ids_are_refused_before_any_request(tmp_path):
    with pytest.raises(FetchError, match="not NCT ids"):
        fetch_ctgov(ids=["12345"], settings=_settings("http://127.0.0.1:9", tmp_path))
    with pytest.raises(FetchError, match="not PMIDs"):
        fetch_pubmed(ids=["PMC123"], settings=_settings("http://127.0.0.1:9", tmp_path))


def test_rate_limiter_spaces_requests():
    now = [0.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    limiter = RateLimiter(2.0, clock=lambda: now[0], sleep=sleep)
    for _ in range(3):
        limiter.wait()
    assert waits == [0.5, 0.5]


def test_retry_after_as_seconds_or_http_date():
    assert _retry_after_seconds("3") == 3.0
    assert _retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past
    assert _retry_after_seconds("soon") is None


def test_settings_from_environment(tmp_path):
    env = {
        "EVX_CTGOV_URL": "http://127.0.0.1:1/v2",
        "EVX_PUBMED_URL": "http://127.0.0.1:1/e",
        "EVX_CACHE": str(tmp_path),
    }
    settings = Settings.from_env(env).fetch
    assert (settings.ctgov_url, settings.pubmed_url, settings.cache_dir) == (
        env["EVX_CTGOV_URL"],
        env["EVX_PUBMED_URL"],
        tmp_path,
    )
    assert settings.effective_pubmed_rate == 3.0
    assert Settings.from_env({"NCBI_API_KEY": "k"}).fetch.effective_pubmed_rate == 10.0


def test_fetch_settings_from_the_settings_file(tmp_path):
    """A ``[fetch]`` table of the settings file, under the environment."""
    config = tmp_path / "evx.toml"
    config.write_text('[fetch]\nretries = 1\nctgov_url = "http://127.0.0.1:1/file"\n', encoding="utf-8")
    env = {"EVX_CONFIG": str(config), "EVX_CTGOV_URL": "http://127.0.0.1:1/env"}
    settings = Settings.from_env(env).fetch
    assert (settings.retries, settings.ctgov_url) == (1, "http://127.0.0.1:1/env")
    config.write_text('fetch = "nope"\n', encoding="utf-8")
    with pytest.raises(LoadError, match="'fetch' must be a table"):
        Settings.from_env({"EVX_CONFIG": str(config)})
    config.write_text("[fetch]\nretry = 1\n", encoding="utf-8")
    with pytest.raises(ValidationError):
        Settings.from_env({"EVX_CONFIG": str(config)})


# -- the command line ------------------------------------------------------------------------
def _env(base: str, tmp_path: Path) -> dict[str, str]:
    return {
        "EVX_CTGOV_URL": f"{base}/api/v2",
        "EVX_PUBMED_URL": f"{base}/entrez/eutils",
        "EVX_CACHE": str(tmp_path / "cache"),
        "EVX_STORE": str(tmp_path / "store"),
        "EVX_FETCH_BACKOFF": "0",
        "EVX_CTGOV_RATE": "1000",
        "EVX_PUBMED_RATE": "1000",
    }


def test_cli_fetches_and_loads_into_the_store(tmp_path):
    routes = {
        STUDY: [Reply(body=REPLAY / "ctgov" / "study_NCT90000001.json")],
        EFETCH: [Reply(body=REPLAY / "pubmed" / "efetch_33434161.xml", content_type=XML)],
    }
    runner = CliRunner()
    with replay_server(routes) as server:
        env = _env(server.base, tmp_path)
        first = runner.invoke(fetch_app, ["ctgov", "NCT90000001"], env=env)
        assert first.exit_code == 0, first.output
        second = runner.invoke(fetch_app, ["pubmed", "33434161"], env=env)
        assert second.exit_code == 0, second.output
    assert (tmp_path / "cache" / "ctgov" / "NCT90000001.json").exists()
    with open_store(Settings(store=tmp_path / "store", read_only=True)) as store:
        trial = store.node("study:nct:NCT90000001")
        article = store.node("study:doi:10.1530/eje-20-0325")
        assert trial["why_stopped"] == "Unacceptable frequency of hypoglycemia in the mecasermin arm"
        assert article["pmid"] == "33434161"
        reporters = {i.evidence["id"] for i in store.evidence("drug:mecasermin", "outcome:hypoglycemia").items}
    assert {"study:nct:NCT90000001", "study:doi:10.1530/eje-20-0325"} <= reporters


def test_cli_offline_is_one_clear_line_and_no_store(tmp_path):
    env = _env(f"http://127.0.0.1:{_closed_port()}", tmp_path)
    result = CliRunner().invoke(fetch_app, ["pubmed", "--query", "mecasermin"], env=env)
    assert result.exit_code == 1
    assert "error: cannot reach PubMed" in result.output
    assert not (tmp_path / "store").exists() and not (tmp_path / "cache").exists()


def test_cli_needs_ids_or_a_query(tmp_path):
    result = CliRunner().invoke(fetch_app, ["ctgov"], env=_env("http://127.0.0.1:9", tmp_path))
    assert result.exit_code == 2
    assert "give NCT ids or --query" in result.output
