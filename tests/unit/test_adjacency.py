"""The adjacency index against networkx on random graphs, and the embedded store keeping it current."""

from __future__ import annotations

import itertools
import os
import random
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pyarrow as pa
import pytest

from graph.model import EdgeType, NodeKind
from graph.store.base import PATH_EDGE_TYPES
from graph.store.ladybug import adjacency
from graph.store.ladybug.adjacency import AdjacencyIndex
from graph.store.ladybug.store import LadybugStore
from tests.conftest import build_evidence_document

KINDS = (NodeKind.DRUG, NodeKind.FINDING, NodeKind.STUDY, NodeKind.SOURCE)
TYPES = (EdgeType.ABOUT, EdgeType.SUPPORTS, EdgeType.FROM_SOURCE, EdgeType.LINKED_TO)


def random_graph(seed: int, nodes: int = 40, edges: int = 90) -> tuple[AdjacencyIndex, nx.MultiDiGraph, list[str]]:
    """An index (without room, so positions are consecutive) and the same graph in networkx; node ids are
    shuffled so id order is not table order."""
    rng = random.Random(seed)
    per_kind = {k: nodes // len(KINDS) for k in KINDS}
    ids = {k: [f"{k.value.lower()}:{rng.randrange(10**6):06d}-{i}" for i in range(n)] for k, n in per_kind.items()}
    g = nx.MultiDiGraph()
    for k, names in ids.items():
        g.add_nodes_from(names, kind=k.value)
    triples = []
    for e in range(edges):
        sk, tk = rng.choice(KINDS), rng.choice(KINDS)
        s, t = rng.randrange(per_kind[sk]), rng.randrange(per_kind[tk])
        etype = rng.choice(TYPES)
        triples.append((etype, sk, tk, s, t))
        g.add_edge(ids[sk][s], ids[tk][t], key=f"e{e}", type=etype.value)
    groups: dict[tuple[EdgeType, NodeKind, NodeKind], list[tuple[int, int]]] = {}
    for etype, sk, tk, s, t in triples:
        groups.setdefault((etype, sk, tk), []).append((s, t))
    index = AdjacencyIndex.build(
        {k: (np.arange(len(names)), pa.array(names)) for k, names in ids.items()},
        [(e, sk, tk, np.array([p[0] for p in ps]), np.array([p[1] for p in ps])) for (e, sk, tk), ps in groups.items()],
        room=0,
    )
    return index, g, [n for k in index.kinds for n in ids.get(k, [])]


@pytest.mark.parametrize("seed", range(8))
def test_shortest_paths_match_networkx(seed: int) -> None:
    index, g, names = random_graph(seed)
    position = {n: i for i, n in enumerate(names)}
    allowed = {e.value for e in PATH_EDGE_TYPES}
    walkable = nx.Graph()
    walkable.add_nodes_from(g)
    walkable.add_edges_from((u, v) for u, v, t in g.edges(data="type") if t in allowed and u != v)
    rng = random.Random(seed)
    for a, b in (rng.sample(names, 2) for _ in range(25)):
        for max_hops, limit in ((6, 10), (2, 3), (6, 1000)):
            found = index.shortest_paths(position[a], position[b], max_hops=max_hops, limit=limit)
            try:
                expected = sorted(nx.all_shortest_paths(walkable, a, b))
            except nx.NetworkXNoPath:
                expected = []
            if expected and len(expected[0]) - 1 > max_hops:
                expected = []
            assert [[names[n] for n in p] for p in found] == expected[:limit], (a, b, max_hops)


@pytest.mark.parametrize("seed", range(5))
def test_neighbourhoods_and_edges_among_match_networkx(seed: int) -> None:
    index, g, names = random_graph(seed)
    position = {n: i for i, n in enumerate(names)}
    for start in random.Random(seed).sample(names, 10):
        for hops, limit, offset in itertools.product((1, 2, 3), (0, 3, 100), (0, 2)):
            window, more = index.neighbourhood(position[start], hops=hops, limit=limit, offset=offset)
            # the base class's rule, on networkx: layers by id, the first capped layer ends the walk
            need, seen, frontier, ordered, total = offset + limit, {start}, [start], [], 0
            for _ in range(hops):
                found = sorted({m for n in frontier for m in (*g.successors(n), *g.predecessors(n))} - seen)
                layer = found[: max(need - len(ordered), 0)]
                total += len(found)
                seen.update(layer)
                ordered += layer
                if not layer or len(found) > len(layer) or len(ordered) >= need:
                    break
                frontier = layer
            assert [names[n] for n in window] == ordered[offset:need]
            assert more == max(total - need, 0)
        drawn = [start, *(names[n] for n in index.neighbourhood(position[start], hops=2, limit=15, offset=0)[0])]
        edges = index.edges_among(np.array([position[n] for n in drawn]))
        got = sorted(
            (names[s], names[t], TYPES_BY_CODE[c])
            for s, t, c in zip(edges.source, edges.target, edges.code, strict=True)
        )
        want = sorted((u, v, t) for u, v, t in g.subgraph(drawn).edges(data="type"))
        assert got == want


TYPES_BY_CODE = {i: e.value for i, e in enumerate(EdgeType)}


def test_an_empty_index_walks_nowhere() -> None:
    index = AdjacencyIndex.build({}, [])
    assert index.ids.null_count == index.size and index.nbytes >= 0  # room for nodes, none yet
    assert AdjacencyIndex.build({}, [], room=0).size == 0
    assert len(index.edges_among(np.zeros(0, dtype=np.int64))) == 0


def test_the_store_rebuilds_its_index_after_a_change(tmp_path: Path) -> None:
    with LadybugStore(tmp_path / "s") as store:
        empty = store._walks.index()
        assert empty.ids.null_count == empty.size  # room for nodes, none yet
        store.ingest(build_evidence_document())
        assert "outcome:hypoglycemia" in store.neighbourhood("drug:mecasermin")  # rebuilt after this process's write
        built = store._walks.index()
        assert store._walks.index() is built  # unchanged store: the same index
        store.after_ingest()
        assert store._walks.index() is not built  # the hook a write path calls
    with LadybugStore(tmp_path / "s", read_only=True) as reader:
        first = reader._walks.index()
        database = tmp_path / "s" / "evidence.lbdb"
        stamp = database.stat().st_mtime_ns + 10**9
        os.utime(database, ns=(stamp, stamp))  # what another process's checkpoint does to the file
        assert reader._walks.index() is not first
        paths = reader.shortest_paths("drug:mecasermin", "study:doi:10.1073/pnas.1311141111")
        assert paths and all(len(p) == 2 for p in paths)


@pytest.mark.parametrize("seed", range(3))
def test_find_places_every_id_and_no_other(seed: int) -> None:
    index, _, names = random_graph(seed)
    assert [index.find(n) for n in names] == list(range(len(names)))
    assert index.find("drug:none") is None and index.find("") is None and index.find("\uffff") is None


@pytest.mark.parametrize("seed", range(3))
def test_find_many_is_find_for_each_id(seed: int) -> None:
    """The one binary search for many ids places each id where :meth:`find` does, gaps and room included."""
    _, g, names = random_graph(seed)
    by_kind: dict[NodeKind, list[str]] = {}
    for n in names:
        by_kind.setdefault(NodeKind(g.nodes[n]["kind"]), []).append(n)
    index = AdjacencyIndex.build({k: (np.arange(len(v)) * 2, pa.array(v)) for k, v in by_kind.items()}, [])
    assert index.ids.null_count  # room after each block and a gap at every other offset
    absent = ["drug:none", "", "\uffff", names[0] + "x", "a"]
    asked = [*random.Random(seed).sample(names, len(names)), *absent, names[3], names[3]]
    expected = [-1 if (p := index.find(n)) is None else p for n in asked]
    assert index.find_many(asked).tolist() == expected
    assert all(p >= 0 for p in expected[: len(names)])
    assert index.find_many([]).tolist() == []


def canonical(index: AdjacencyIndex) -> tuple[Any, ...]:
    """What an index says, by node id (positions differ between an extended and a rebuilt index)."""
    real = index.size - index.ids.null_count
    ids = index.ids.to_pylist()
    in_order = [ids[p] for p in index.id_order()[:real].tolist()]
    assert in_order == sorted(i for i in ids if i is not None)  # rank orders every node by id
    assert all(
        i is None or index.kinds[k].prefix == i.split(":")[0]
        for i, k in zip(ids, index.kind_at(np.arange(index.size)).tolist(), strict=True)
    )
    owner = np.repeat(np.arange(index.size), np.diff(index.indptr))
    rows = sorted(
        (ids[o], ids[n], int(f))
        for o, n, f in zip(owner.tolist(), index.neighbour.tolist(), index.flags.tolist(), strict=True)
    )
    path_owner = np.repeat(np.arange(index.size), np.diff(index.path_indptr))
    paths = sorted((ids[o], ids[n]) for o, n in zip(path_owner.tolist(), index.path_neighbour.tolist(), strict=True))
    weights = sorted((ids[p], float(index.weights[p])) for p in np.flatnonzero(index.weights).tolist())
    return in_order, rows, paths, weights


def edges_among(index: AdjacencyIndex, drawn: np.ndarray) -> list[tuple[str, str, int]]:
    edges = index.edges_among(drawn)
    ids = index.ids.to_pylist()
    return sorted((ids[s], ids[t], int(c)) for s, t, c in zip(edges.source, edges.target, edges.code, strict=True))


def edges_among_by_scan(index: AdjacencyIndex, drawn: np.ndarray) -> list[tuple[str, str, int]]:
    """Every relationship read from its source's row whose target is drawn (what edges_among must give)."""
    ids, wanted, out = index.ids.to_pylist(), set(drawn.tolist()), []
    for s in wanted:
        for e in range(int(index.indptr[s]), int(index.indptr[s + 1])):
            t, flag = int(index.neighbour[e]), int(index.flags[e])
            if flag & 1 and t in wanted:
                out.append((ids[s], ids[t], flag >> 1))
    return sorted(out)


@pytest.mark.parametrize("seed", range(6))
def test_an_extended_index_equals_one_built_whole(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nodes placed in the room and relationships appended say what a full build of the same graph says."""
    from graph.store.ladybug.adjacency import EdgeArrays
    from graph.store.ladybug.increment import extend

    rng = random.Random(seed)
    per_kind = {k: 10 + rng.randrange(20) for k in KINDS}
    ids = {k: [f"{k.prefix}:{rng.randrange(10**6):06d}-{i}" for i in range(n)] for k, n in per_kind.items()}
    triples = [
        (rng.choice(TYPES), sk, tk, rng.randrange(per_kind[sk]), rng.randrange(per_kind[tk]))
        for sk, tk in ((rng.choice(KINDS), rng.choice(KINDS)) for _ in range(150))
    ]
    cut = {k: n // 2 + rng.randrange(n // 2) for k, n in per_kind.items()}  # nodes present before the ingest
    early = {i for i, t in enumerate(triples[:100]) if t[3] < cut[t[1]] and t[4] < cut[t[2]]}
    before = [t for i, t in enumerate(triples) if i in early]
    extra = [t for i, t in enumerate(triples) if i not in early]  # what the ingest adds

    def build(nodes: dict[NodeKind, int], edges: list[Any], room: float) -> AdjacencyIndex:
        groups: dict[tuple[EdgeType, NodeKind, NodeKind], list[tuple[int, int]]] = {}
        for etype, sk, tk, a, b in edges:
            groups.setdefault((etype, sk, tk), []).append((a, b))
        return AdjacencyIndex.build(
            {k: (np.arange(n), pa.array(ids[k][:n])) for k, n in nodes.items()},
            [
                (e, sk, tk, np.array([p[0] for p in ps]), np.array([p[1] for p in ps]))
                for (e, sk, tk), ps in groups.items()
            ],
            room=room,
        )

    old = build(cut, before, 0.5)
    new_ids = {int(old.position(k, [o])[0]): ids[k][o] for k in KINDS for o in range(cut[k], per_kind[k])}
    source = np.array([old.position(sk, [a])[0] for _, sk, _, a, _ in extra], dtype=np.int64)
    target = np.array([old.position(tk, [b])[0] for _, _, tk, _, b in extra], dtype=np.int64)
    codes = np.array([list(EdgeType).index(e) for e, *_ in extra], dtype=np.uint8)
    grown = extend(old, new_ids, EdgeArrays(source, target, codes), version="after")
    whole = build(per_kind, before + extra, 0.0)
    assert canonical(grown) == canonical(whole)
    assert whole.sorted_rows and not grown.sorted_rows  # appended entries end their rows
    for hubs_from in (0, 3, 10**6):  # every drawn node a hub, the busy ones, none
        monkeypatch.setattr(adjacency, "BIG_ROW", hubs_from)
        monkeypatch.setattr(adjacency, "HUB_SHARE", 0)
        for index in (grown, whole):
            drawn = np.array(rng.sample(range(index.size), min(index.size, 25)), dtype=np.int64)
            drawn = drawn[index.ids.take(pa.array(drawn)).is_valid().to_numpy(zero_copy_only=False)]
            assert edges_among(index, drawn) == edges_among_by_scan(index, drawn)
    assert grown.version == "after" and grown.size == old.size  # nothing already indexed moved
    for name in (n for names in ids.values() for n in names):
        assert grown.find(name) is not None
