"""The backend contract: every store runs the same tests through the ``store`` fixture.

Backends are listed in ``STORE_FACTORIES``; a backend that needs a server adds its
factory there (and skips or fails according to CI) without changing a test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from graph.store import EvidenceStore
from graph.store.ladybug.store import LadybugStore
from graph.store.memory import MemoryStore
from tests.neo4j_server import BoltServer, bolt, bolt_server  # noqa: F401 - fixtures for the Neo4j backend

#: Backend name → factory(request, tmp_path); a factory may ask ``request`` for a server fixture.
StoreFactory = Callable[[pytest.FixtureRequest, Path], EvidenceStore]

STORE_FACTORIES: dict[str, StoreFactory] = {
    "memory": lambda request, tmp: MemoryStore(),
    "ladybug": lambda request, tmp: LadybugStore(tmp / "store", timeout_s=5),
    "neo4j": lambda request, tmp: neo4j_store(request.getfixturevalue("bolt")),
}


def neo4j_store(server: BoltServer, **options: object) -> EvidenceStore:
    """A Neo4j store on the test server's (emptied) database."""
    from graph.store.neo4j.store import Neo4jStore

    settings = {"user": server.user, "password": server.password, "database": server.database, "timeout_s": 5}
    return Neo4jStore(server.uri, **{**settings, **options})  # type: ignore[arg-type]


def _param(name: str) -> object:
    return pytest.param(name, marks=pytest.mark.neo4j) if name == "neo4j" else name


@pytest.fixture(params=[_param(name) for name in sorted(STORE_FACTORIES)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[EvidenceStore]:
    with STORE_FACTORIES[request.param](request, tmp_path) as opened:
        yield opened
