"""Every Cypher string the embedded (LadybugDB) store sends, built in one place.

User values only ever travel as parameters; what is formatted into the text are table
names and bounds that come from the model's enums or from integers.
"""

from __future__ import annotations

from collections.abc import Iterable

from graph.model import ALLOWED_TRIPLES, EDGE_COLUMNS, EdgeType, NodeKind, node_columns
from graph.store.base import PATH_EDGE_TYPES

__all__ = [
    "add_column",
    "claims_of_pairs",
    "copy_edges",
    "copy_nodes",
    "count_edges",
    "count_nodes",
    "create_edges",
    "create_node_table",
    "create_nodes",
    "create_rel_table",
    "delete_linked_pairs",
    "edge_columns",
    "edge_ids_from",
    "edge_offsets",
    "edges_between",
    "edges_from",
    "edges_of_many",
    "edges_of_many_to",
    "edges_of_one",
    "evidence",
    "evidence_figures",
    "evidence_recommendations",
    "fill_nodes",
    "ids_present",
    "neighbour_ids",
    "neighbours_of",
    "node_by_id",
    "node_fields_of",
    "node_offsets",
    "nodes_by_ids",
    "offsets_by_ids",
    "reachable_kinds",
    "recommendations_for_drug",
    "recommendations_for_findings",
    "search_kind",
    "set_properties",
    "shortest_paths",
    "stances_on",
    "walk_types",
]

_TYPES = {str: "STRING", int: "INT64", float: "DOUBLE", bool: "BOOLEAN"}


def create_node_table(kind: NodeKind) -> str:
    cols = ", ".join(f"{name} {_TYPES[t]}" for name, t in node_columns(kind).items() if name != "id")
    return f"CREATE NODE TABLE IF NOT EXISTS {kind.value}(id STRING PRIMARY KEY, {cols})"


def create_rel_table(edge: EdgeType) -> str:
    pairs = sorted((s.value, t.value) for s, e, t in ALLOWED_TRIPLES if e is edge)
    ends = ", ".join(f"FROM {s} TO {t}" for s, t in pairs)
    cols = ", ".join(f"{name} {_TYPES[t]}" for name, t in EDGE_COLUMNS.items())
    return f"CREATE REL TABLE IF NOT EXISTS {edge.value}({ends}, {cols})"


def add_column(table: str, name: str, py: type) -> str:
    return f"ALTER TABLE {table} ADD {name} {_TYPES[py]}"


def edge_ids_from(edge: EdgeType, source: NodeKind) -> str:
    """Ids of ``edge`` relationships leaving the given nodes (to skip structural edges already stored).

    Anchored by primary key (``UNWIND``): ``WHERE a.id IN $ids`` scanned the whole table, which made
    each batch of trial records slower than the last as the store grew.
    """
    return f"UNWIND $ids AS i MATCH (a:{source.value} {{id: i}})-[r:{edge.value}]->() RETURN r.id"


def copy_nodes(kind: NodeKind) -> str:
    return f"COPY {kind.value} FROM (LOAD FROM $rows RETURN *)"


def copy_edges(edge: EdgeType, source: NodeKind, target: NodeKind) -> str:
    return f"COPY {edge.value} FROM (LOAD FROM $rows RETURN *) (from='{source.value}', to='{target.value}')"


def node_fields(var: str, kind: NodeKind) -> str:
    """Every stored column of a node, listed: far cheaper to fetch than the node value itself."""
    return ", ".join(f"{var}.{name}" for name in node_columns(kind))


def edge_fields(var: str) -> str:
    return ", ".join(f"{var}.{name}" for name in EDGE_COLUMNS)


def node_by_id(kind: NodeKind) -> str:
    return f"MATCH (n:{kind.value} {{id: $id}}) RETURN {node_fields('n', kind)}"


def nodes_by_ids(kind: NodeKind) -> str:
    """Nodes by id through the primary-key index (``WHERE id IN`` would scan the table), with their offsets."""
    return f"UNWIND $ids AS i MATCH (n:{kind.value} {{id: i}}) RETURN offset(id(n)), {node_fields('n', kind)}"


def set_properties(kind: NodeKind, names: list[str]) -> str:
    sets = ", ".join(f"n.{name} = ${name}" for name in names)
    return f"MATCH (n:{kind.value} {{id: $id}}) SET {sets}"


def search_kind(kind: NodeKind) -> str:
    extra = " OR lower(n.synonyms) CONTAINS $q" if "synonyms" in node_columns(kind) else ""
    title = " OR lower(n.title) CONTAINS $q" if "title" in node_columns(kind) else ""
    return (
        f"MATCH (n:{kind.value}) WHERE lower(n.name) CONTAINS $q{extra}{title} "
        f"RETURN n.id, n.name, {'n.synonyms' if extra else 'NULL'}, {'n.title' if title else 'NULL'} LIMIT $cap"
    )


def neighbours_of(kind: NodeKind) -> str:
    """How many neighbours one node has (not in ``$seen``) and the first ``$limit`` by id, in one pass.

    ``$seen`` is tested after ``WITH DISTINCT``: written in the MATCH's WHERE, the planner
    pushes the list test into a scan of every neighbour table (20x slower for a small node).
    """
    return (
        f"MATCH (n:{kind.value} {{id: $id}})-[]-(m) WITH DISTINCT m.id AS mid WHERE NOT mid IN $seen "
        "WITH collect(mid) AS found RETURN size(found), list_slice(list_sort(found), 1, $limit)"
    )


# Several frontier nodes are matched by table offset: ``offset(id(n)) IN`` is a cheap integer
# test, where ``n.id IN`` compares strings row by row and an UNWIND of ids is planned as a
# scan-and-join over every relationship table.
def neighbour_ids(kind: NodeKind) -> str:
    return (
        f"MATCH (n:{kind.value})-[]-(m) WHERE offset(id(n)) IN $offsets "
        "WITH DISTINCT m.id AS mid WHERE NOT mid IN $seen RETURN mid ORDER BY mid LIMIT $limit"
    )


# The join order is pinned (HINT): left to itself the planner scans every study and figure
# and joins them to the claims, 20-50x slower than walking out from the two named nodes.
def _claims(target: NodeKind) -> str:
    return f"MATCH (d:Drug {{id: $drug}})<-[a1:ABOUT]-(f:Finding)-[a2:ABOUT]->(t:{target.value} {{id: $target}}), "


_CLAIMS_JOIN = "((((d JOIN a1) JOIN f) JOIN a2) JOIN t)"


def evidence(target: NodeKind) -> str:
    """Each stance on a claim linking drug and target: finding id, stance, evidence id and kind, edge columns."""
    return (
        f"{_claims(target)}(f)<-[r:SUPPORTS|CONTRADICTS]-(e) HINT (({_CLAIMS_JOIN} JOIN r) JOIN e) "
        f"RETURN f.id, label(r), e.id, label(e), {edge_fields('r')}"
    )


def evidence_figures(target: NodeKind) -> str:
    """Figures the evidence reported that measure those claims: finding id, evidence id, figure columns."""
    return (
        f"{_claims(target)}(f)<-[m:MEASURES]-(fig:Figure)<-[rp:REPORTS]-(e) "
        f"HINT (((({_CLAIMS_JOIN} JOIN m) JOIN fig) JOIN rp) JOIN e) "
        f"RETURN f.id, e.id, {node_fields('fig', NodeKind.FIGURE)}"
    )


#: What :func:`graph.store.base.evidence_weight` reads of a study or guideline.
WEIGHT_FIELDS = ("design", "guideline_type", "n")


def evidence_recommendations(target: NodeKind) -> str:
    """Recommendations about those claims: recommender id and kind, edge columns, finding id."""
    return (
        f"{_claims(target)}(f)<-[r:RECOMMENDS]-(g) HINT (({_CLAIMS_JOIN} JOIN r) JOIN g) "
        f"RETURN g.id, label(g), {edge_fields('r')}, f.id"
    )


def recommendations_for_drug() -> str:
    return (
        "MATCH (g)-[r:RECOMMENDS]->(d:Drug {id: $drug}) HINT ((d JOIN r) JOIN g) "
        f"RETURN g.id, label(g), {edge_fields('r')}, d.id"
    )


def recommendations_for_findings() -> str:
    return (
        "UNWIND $ids AS i MATCH (g)-[r:RECOMMENDS]->(f:Finding {id: i}) "
        f"RETURN g.id, label(g), {edge_fields('r')}, f.id"
    )


def shortest_paths(source: NodeKind, target: NodeKind, max_hops: int) -> str:
    types = "|".join(e.value for e in PATH_EDGE_TYPES)
    return (
        f"MATCH p = (a:{source.value} {{id: $a}})-[:{types}* ALL SHORTEST 1..{int(max_hops)}]-"
        f"(b:{target.value} {{id: $b}}) "
        # Only what a path step needs: whole nodes and relationships per path cost ~4x the search itself.
        "RETURN properties(nodes(p), 'id') AS ns, properties(nodes(p), '_ID') AS nids, "
        "properties(rels(p), 'id') AS rids, properties(rels(p), '_LABEL') AS labels, "
        "properties(rels(p), '_SRC') AS srcs, properties(rels(p), '_DST') AS dsts LIMIT $limit"
    )


def edges_from(kind: NodeKind, targets: Iterable[NodeKind] | None = None, *, filter_present: bool = True) -> str:
    """Edges out of the nodes at ``$offsets``: source id, target id, type, edge columns.

    ``targets`` limits the walk to the relationship tables that can reach those kinds (the
    schema has one table per type and endpoint pair).  With ``filter_present`` only edges
    into ``$present`` (behind ``WITH`` so the planner does not turn the list test into a
    scan of every table); without, the caller filters.
    """
    rel, end = "r", "b"
    if targets is not None:
        wanted = set(targets)
        types = sorted({e.value for s, e, t in ALLOWED_TRIPLES if s is kind and t in wanted})
        labels = sorted(t.value for t in wanted)
        rel, end = f"r:{'|'.join(types)}", f"b:{':'.join(labels)}"
    match = f"MATCH (a:{kind.value})-[{rel}]->({end}) WHERE offset(id(a)) IN $offsets "
    if filter_present:
        return f"{match}WITH a.id AS s, b.id AS t, r WHERE t IN $present RETURN s, t, label(r), {edge_fields('r')}"
    return f"{match}RETURN a.id, b.id, label(r), {edge_fields('r')}"


def edges_between(source: NodeKind, target: NodeKind, *, from_target: bool, one: bool = False) -> str:
    """Edges from ``source`` nodes to ``target`` nodes, both given by table offset.

    The walk starts at the anchor side (``$anchor`` offsets, or the one node ``$id``) — the
    target side when ``from_target`` — and keeps the edges whose other end is in ``$other``.
    The ``WITH`` keeps the planner from scanning the other side's table first.
    """
    types = "|".join(sorted({e.value for s, e, t in ALLOWED_TRIPLES if s is source and t is target}))
    anchor, other = ("b", "a") if from_target else ("a", "b")
    ends = {"a": f"a:{source.value}", "b": f"b:{target.value}"}
    where = f"WHERE offset(id({anchor})) IN $anchor "
    if one:
        ends[anchor] += " {id: $id}"
        where = ""
    return (
        f"MATCH ({ends['a']})-[r:{types}]->({ends['b']}) {where}"
        f"WITH a, b, r WHERE offset(id({other})) IN $other RETURN a.id, b.id, label(r), {edge_fields('r')}"
    )


def offsets_by_ids(kind: NodeKind) -> str:
    """Table offsets of nodes by id, through the primary-key index."""
    return f"UNWIND $ids AS i MATCH (n:{kind.value} {{id: i}}) RETURN offset(id(n))"


def node_fields_of(kind: NodeKind, names: Iterable[str]) -> str:
    """Every node's table offset and the given columns (read column-wise, e.g. what weighs evidence)."""
    cols = "".join(f", n.{name}" for name in names)
    return f"MATCH (n:{kind.value}) RETURN offset(id(n)){cols}"


def node_offsets(kind: NodeKind) -> str:
    """Every node's table offset and id, read column-wise to build the adjacency index."""
    return f"MATCH (n:{kind.value}) RETURN offset(id(n)) AS o, n.id AS id"


def edge_offsets(edge: EdgeType, source: NodeKind, target: NodeKind) -> str:
    """The endpoints (table offsets) of every ``edge`` relationship from ``source`` to ``target`` nodes."""
    return f"MATCH (a:{source.value})-[:{edge.value}]->(b:{target.value}) RETURN offset(id(a)) AS s, offset(id(b)) AS t"


def edge_columns(edge: EdgeType, source: NodeKind, target: NodeKind) -> str:
    """Every ``edge`` relationship from ``source`` to ``target`` nodes: both ends' table offsets, then its columns."""
    return (
        f"MATCH (a:{source.value})-[r:{edge.value}]->(b:{target.value}) "
        f"RETURN offset(id(a)) AS s, offset(id(b)) AS t, {edge_fields('r')}"
    )


def edges_of_one(anchor: NodeKind, types: Iterable[EdgeType], other: NodeKind, *, outgoing: bool) -> str:
    """The relationships of one node (``$id``, through the primary-key index) to the ``other`` nodes at ``$other``
    offsets: source id, target id, type, edge columns.

    The anchor is chosen from the adjacency index; the offset test is an integer comparison
    over that node's relationships only (measured: faster here without a ``WITH`` barrier).
    """
    rel = "|".join(sorted(e.value for e in types))
    a, b = f"a:{anchor.value} {{id: $id}}", f"b:{other.value}"
    pattern = f"({a})-[r:{rel}]->({b})" if outgoing else f"({b})-[r:{rel}]->({a})"
    ends = "a.id, b.id" if outgoing else "b.id, a.id"
    return f"MATCH {pattern} WHERE offset(id(b)) IN $other RETURN {ends}, label(r), {edge_fields('r')}"


#: Edge types from a kind to itself (``SAME_STUDY``): walked backwards, the planner scans their
#: whole table (measured: 36 ms for one study at 1M edges), so whole-node walks leave them out
#: and they are read forwards by :func:`edges_of_many_to`.
SELF_TYPES = frozenset(e for s, e, t in ALLOWED_TRIPLES if s is t)


def walk_types(kind: NodeKind, *, outgoing: bool) -> list[EdgeType]:
    """Edge types a whole-node walk from ``kind`` reads (leaving or entering it), kind-to-itself types aside."""
    ends = {e for s, e, t in ALLOWED_TRIPLES if (s if outgoing else t) is kind}
    return sorted(ends - SELF_TYPES)


def edges_of_many(kind: NodeKind, *, outgoing: bool) -> str:
    """Every relationship leaving (or entering) the nodes ``$ids``: source id, target id, the other end's
    kind and table offset, type, edge columns.

    ``OPTIONAL MATCH`` after the ``UNWIND`` is planned as a walk from each node found through
    the primary-key index; a plain ``MATCH`` there scans and joins every relationship table
    (measured: 2.5 ms against 550 ms for 50 claims at 1M edges).  Rows with no relationship
    come back with nulls.  The caller keeps the relationships that end inside its node set.
    """
    types = "|".join(e.value for e in walk_types(kind, outgoing=outgoing))
    pattern = f"(a)-[r:{types}]->(b)" if outgoing else f"(a)<-[r:{types}]-(b)"
    ends = "a.id, b.id" if outgoing else "b.id, a.id"
    return (
        f"UNWIND $ids AS i MATCH (a:{kind.value} {{id: i}}) OPTIONAL MATCH {pattern} "
        f"RETURN {ends}, label(b), offset(id(b)), label(r), {edge_fields('r')}"
    )


def edges_of_many_to(kind: NodeKind, edge: EdgeType, other: NodeKind, *, outgoing: bool) -> str:
    """:func:`edges_of_many` for one edge type to one kind of node, kept to the ``$other`` table offsets.

    For nodes with many relationships of which few are drawn: the offset test is an integer
    comparison in the engine, so only the wanted rows are read out.
    """
    pattern = f"(a)-[r:{edge.value}]->(b:{other.value})" if outgoing else f"(a)<-[r:{edge.value}]-(b:{other.value})"
    ends = "a.id, b.id" if outgoing else "b.id, a.id"
    return (
        f"UNWIND $ids AS i MATCH (a:{kind.value} {{id: i}}) OPTIONAL MATCH {pattern} WHERE offset(id(b)) IN $other "
        f"RETURN {ends}, label(b), offset(id(b)), label(r), {edge_fields('r')}"
    )


def reachable_kinds(kind: NodeKind, present: Iterable[NodeKind]) -> set[NodeKind]:
    """The kinds among ``present`` that an edge out of ``kind`` may point at."""
    wanted = set(present)
    return {t for s, _, t in ALLOWED_TRIPLES if s is kind and t in wanted}


def all_nodes(kind: NodeKind) -> str:
    return f"MATCH (n:{kind.value}) RETURN n"


def all_edges(edge: EdgeType) -> str:
    return f"MATCH (a)-[r:{edge.value}]->(b) RETURN a.id AS s, b.id AS t, r"


def count_nodes(kind: NodeKind) -> str:
    return f"MATCH (n:{kind.value}) RETURN count(n)"


def count_edges(edge: EdgeType) -> str:
    return f"MATCH ()-[r:{edge.value}]->() RETURN count(r)"


# -- the batched write path (graph/store/ladybug/write.py) ---------------------------------------
# Rows arrive as a typed Arrow table (``LOAD FROM $rows``): ``CREATE`` statements are logged in the
# write-ahead log, so a commit needs no checkpoint (``COPY`` forces one per commit and holds ~14 MB per
# statement until the database closes).  Column names are quoted: some are Cypher words (``group``).


def _col(name: str) -> str:
    return f"`{name}`"


def ids_present(kind: NodeKind) -> str:
    """Which of ``$ids`` are stored (through the primary-key index, without fetching the rows)."""
    return f"UNWIND $ids AS i MATCH (n:{kind.value} {{id: i}}) RETURN n.id"


def create_nodes(kind: NodeKind, names: Iterable[str] | None = None) -> str:
    """Nodes from rows of ``names`` (every column of the kind when not given; the rest stay empty)."""
    props = ", ".join(f"{_col(name)}: {_col(name)}" for name in (node_columns(kind) if names is None else names))
    return f"LOAD FROM $rows CREATE (:{kind.value} {{{props}}})"


def fill_nodes(kind: NodeKind, names: Iterable[str]) -> str:
    """Set the given properties where the stored node has none (``coalesce`` keeps what is stored)."""
    sets = ", ".join(f"_n.{_col(name)} = coalesce(_n.{_col(name)}, {_col(name)})" for name in names)
    return f"LOAD FROM $rows MATCH (_n:{kind.value} {{id: `id`}}) SET {sets}"


def create_edges(edge: EdgeType, source: NodeKind, target: NodeKind, names: Iterable[str] | None = None) -> str:
    """Relationships from rows of ``from``, ``to`` and the edge columns (or ``names`` of them); both ends
    found by primary key."""
    columns = list(EDGE_COLUMNS if names is None else names)
    carried = ", ".join(_col(name) for name in ("to", *columns))
    props = ", ".join(f"{_col(name)}: {_col(name)}" for name in columns)
    return (
        f"LOAD FROM $rows MATCH (_a:{source.value} {{id: `from`}}) WITH _a, {carried} "
        f"MATCH (_b:{target.value} {{id: `to`}}) CREATE (_a)-[:{edge.value} {{{props}}}]->(_b)"
    )


def claims_of_pairs(target: NodeKind) -> str:
    """The findings about each (drug, target) pair in ``$pairs``, anchored on both ends by primary key."""
    return (
        f"UNWIND $pairs AS p MATCH (d:Drug {{id: p.drug}})<-[:ABOUT]-(f:Finding)-[:ABOUT]->(t:{target.value} "
        "{id: p.target}) RETURN p.drug, p.target, f.id"
    )


def stances_on(kind: NodeKind = NodeKind.FINDING) -> str:
    """(finding, stance, study or guideline) for each finding id in ``$ids``."""
    return (
        f"UNWIND $ids AS i MATCH (f:{kind.value} {{id: i}})<-[r:SUPPORTS|CONTRADICTS]-(e) RETURN f.id, label(r), e.id"
    )


def delete_linked_pairs(target: NodeKind) -> str:
    return f"UNWIND $pairs AS p MATCH (:Drug {{id: p.drug}})-[r:LINKED_TO]->(:{target.value} {{id: p.target}}) DELETE r"
