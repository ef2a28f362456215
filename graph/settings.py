"""One typed settings object, read once: defaults ← settings file (``EVX_CONFIG``) ← environment ← options.

Every setting of the product is a field here, and every environment variable it reads is in
:data:`ENVIRONMENT` (``NCBI_API_KEY`` is NCBI's own name).  The front ends build one
:class:`Settings` (``evx``'s callback, the explorer's :func:`ui.web.state.get_settings`) and pass
it down.  Below them the environment is read only through :meth:`Settings.from_env`, as the
default of a caller that passes no settings (``graph.store.open_store()``, a console worker's limits).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path

import platformdirs
from pydantic import BaseModel, ConfigDict, Field

from graph.errors import LoadError

__all__ = ["ENVIRONMENT", "FetchSettings", "Settings", "default_buffer_pool_mb", "read_settings_file"]

#: The embedded engine's own default buffer pool is ~80% of the machine's memory; ours is a share with a ceiling.
BUFFER_POOL_SHARE = 0.125
BUFFER_POOL_CEILING_MB = 1024
BUFFER_POOL_FLOOR_MB = 256


def default_store_dir() -> Path:
    return Path(platformdirs.user_data_dir("evidence-explorer", appauthor=False)) / "store"


def default_cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir("evidence-explorer", appauthor=False)) / "fetch"


def default_buffer_pool_mb(total_bytes: int | None = None) -> int:
    """An eighth of the machine's memory, between 256 MiB and 1 GiB: what one store process may cache.

    Several processes (a load, the explorer, readers) may each open a store; the engine's default
    (most of the machine) would let each of them claim it.
    """
    if total_bytes is None:
        try:
            total_bytes = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        except (ValueError, OSError, AttributeError):
            total_bytes = 8 * 2**30
    share = int(total_bytes * BUFFER_POOL_SHARE) // 2**20
    return max(BUFFER_POOL_FLOOR_MB, min(BUFFER_POOL_CEILING_MB, share))


def read_settings_file(path: Path) -> dict[str, object]:
    """The settings a TOML file gives (field names as keys); unknown keys are refused when validated."""
    try:
        with path.open("rb") as fh:
            return dict(tomllib.load(fh))
    except OSError as exc:
        raise LoadError(f"cannot read the settings file {path} (EVX_CONFIG): {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise LoadError(f"the settings file {path} (EVX_CONFIG) is not valid TOML: {exc}") from None


class FetchSettings(BaseModel):
    """Where the public APIs are and how politely to ask them (``evx fetch``; ``[fetch]`` in the settings file).

    ``EVX_CTGOV_URL`` and ``EVX_PUBMED_URL`` move the base URLs (tests point them at a
    local replay server); ``EVX_CACHE`` is the directory raw responses are saved in;
    ``NCBI_API_KEY`` raises PubMed's limit from 3 to 10 requests a second.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    ctgov_url: str = "https://clinicaltrials.gov/api/v2"
    pubmed_url: str = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"
    cache_dir: Path = Field(default_factory=default_cache_dir)
    timeout_s: float = Field(default=30.0, gt=0, le=600)
    retries: int = Field(default=4, ge=0, le=10)
    backoff_s: float = Field(default=1.0, ge=0, le=60)
    max_wait_s: float = Field(default=60.0, ge=0, le=3600)
    ctgov_rate: float = Field(default=0.8, gt=0)  # ClinicalTrials.gov asks for about 50 requests a minute
    pubmed_rate: float | None = Field(default=None, gt=0)  # None: 3/s, or 10/s with an API key (NCBI's rules)
    ncbi_api_key: str | None = None
    ncbi_email: str | None = None

    @property
    def effective_pubmed_rate(self) -> float:
        return self.pubmed_rate or (10.0 if self.ncbi_api_key else 3.0)


#: Environment variable → setting (``fetch.x`` is a field of :class:`FetchSettings`).
ENVIRONMENT: dict[str, str] = {
    "EVX_STORE": "store",
    "EVX_NEO4J_URI": "neo4j_uri",
    "EVX_NEO4J_USER": "neo4j_user",
    "EVX_NEO4J_PASSWORD": "neo4j_password",
    "EVX_NEO4J_DATABASE": "neo4j_database",
    "EVX_ROW_LIMIT": "row_limit",
    "EVX_TIMEOUT": "timeout_s",
    "EVX_READ_ONLY": "read_only",
    "EVX_BUFFER_POOL_MB": "buffer_pool_mb",
    "EVX_CONSOLE_MEMORY_MB": "console_memory_mb",
    "EVX_CONSOLE_TIMEOUT_CAP": "console_timeout_cap_s",
    "EVX_CONSOLE_ROW_CAP": "console_row_cap",
    "EVX_CONSOLE_ANSWER_MB": "console_answer_mb",
    "EVX_CURATION_LOG": "curation_log",
    "EVX_CURATOR": "curator",
    "EVX_CTGOV_URL": "fetch.ctgov_url",
    "EVX_PUBMED_URL": "fetch.pubmed_url",
    "EVX_CACHE": "fetch.cache_dir",
    "EVX_FETCH_TIMEOUT": "fetch.timeout_s",
    "EVX_FETCH_RETRIES": "fetch.retries",
    "EVX_FETCH_BACKOFF": "fetch.backoff_s",
    "EVX_CTGOV_RATE": "fetch.ctgov_rate",
    "EVX_PUBMED_RATE": "fetch.pubmed_rate",
    "NCBI_API_KEY": "fetch.ncbi_api_key",
    "EVX_NCBI_EMAIL": "fetch.ncbi_email",
}


class Settings(BaseModel):
    """Where the evidence lives and how long a query may run.

    ``EVX_STORE`` names the embedded store's directory; ``EVX_NEO4J_URI`` (with
    ``EVX_NEO4J_USER``, ``EVX_NEO4J_PASSWORD``, ``EVX_NEO4J_DATABASE``) selects Neo4j instead.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    store: Path = Field(default_factory=default_store_dir)
    read_only: bool = False
    neo4j_uri: str | None = None
    neo4j_user: str = "neo4j"
    neo4j_password: str | None = None
    neo4j_database: str | None = None
    row_limit: int = Field(default=1000, ge=1, le=1_000_000)
    timeout_s: float = Field(default=10.0, gt=0, le=3600)
    #: The embedded store's buffer pool in MiB (``EVX_BUFFER_POOL_MB``); default :func:`default_buffer_pool_mb`.
    buffer_pool_mb: int = Field(default_factory=default_buffer_pool_mb, ge=64, le=1_048_576)
    #: What one console query may use (the explorer's Cypher page, ``evx query`` without ``--write``):
    #: memory of its worker process beyond what the engine maps (``EVX_CONSOLE_MEMORY_MB``), the longest
    #: time limit the page offers (``EVX_CONSOLE_TIMEOUT_CAP``), the largest row cap it offers
    #: (``EVX_CONSOLE_ROW_CAP``) and the size of an answer's encoded rows (``EVX_CONSOLE_ANSWER_MB``).
    console_memory_mb: int = Field(default=2048, ge=64, le=1_048_576)
    console_timeout_cap_s: float = Field(default=60.0, gt=0, le=3600)
    console_row_cap: int = Field(default=100_000, ge=1, le=1_000_000)
    console_answer_mb: int = Field(default=32, ge=1, le=4096)
    #: The curation log (``EVX_CURATION_LOG``); by default per backend (:func:`graph.service.curation_log`).
    curation_log: Path | None = None
    #: Who records corrections when ``evx curate`` is given no ``--curator`` (``EVX_CURATOR``).
    curator: str | None = None
    fetch: FetchSettings = Field(default_factory=FetchSettings)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Defaults ← settings file ← environment ← ``overrides`` (``None`` overrides are ignored).

        The settings file is the TOML file ``EVX_CONFIG`` names, its keys the field names
        (``store = "/data/evx"``, ``row_limit = 500``, a ``[fetch]`` table); a missing or
        malformed file is an error that names it.
        """
        env = os.environ if env is None else env
        values: dict[str, object] = read_settings_file(Path(env["EVX_CONFIG"])) if env.get("EVX_CONFIG") else {}
        fetch = values.get("fetch", {})
        if not isinstance(fetch, dict):
            raise LoadError(f"the settings file {env['EVX_CONFIG']} (EVX_CONFIG): 'fetch' must be a table ([fetch])")
        fetch = dict(fetch)
        for var, name in ENVIRONMENT.items():
            if env.get(var):
                section, _, key = name.rpartition(".")
                (fetch if section else values)[key] = env[var]
        if fetch:
            values["fetch"] = fetch
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls.model_validate(values)
