"""Every Cypher string the embedded (LadybugDB) store sends, built in one place.

User values only ever travel as parameters; what is formatted into the text are table
names and bounds that come from the model's enums or from integers.
"""

from __future__ import annotations

from graph.model import ALLOWED_TRIPLES, EDGE_COLUMNS, EdgeType, NodeKind, node_columns
from graph.store.base import PATH_EDGE_TYPES

__all__ = [
    "add_column",
    "copy_edges",
    "copy_nodes",
    "count_edges",
    "count_nodes",
    "create_node_table",
    "create_rel_table",
    "edges_from",
    "evidence",
    "linked_counts",
    "neighbour_count",
    "neighbour_ids",
    "node_by_id",
    "nodes_by_ids",
    "recommendations_for_drug",
    "recommendations_for_findings",
    "replace_linked",
    "search_kind",
    "set_properties",
    "shortest_paths",
]

_TYPES = {str: "STRING", int: "INT64", float: "DOUBLE", bool: "BOOLEAN"}


def column_type(py: type) -> str:
    return _TYPES[py]


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


def copy_nodes(kind: NodeKind) -> str:
    return f"COPY {kind.value} FROM (LOAD FROM $rows RETURN *)"


def copy_edges(edge: EdgeType, source: NodeKind, target: NodeKind) -> str:
    return f"COPY {edge.value} FROM (LOAD FROM $rows RETURN *) (from='{source.value}', to='{target.value}')"


def node_by_id(kind: NodeKind) -> str:
    return f"MATCH (n:{kind.value} {{id: $id}}) RETURN n"


def nodes_by_ids(kind: NodeKind) -> str:
    return f"MATCH (n:{kind.value}) WHERE n.id IN $ids RETURN n"


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


def neighbour_count(kind: NodeKind) -> str:
    return f"MATCH (n:{kind.value})-[]-(m) WHERE n.id IN $ids AND NOT m.id IN $seen RETURN count(DISTINCT m.id)"


def neighbour_ids(kind: NodeKind) -> str:
    return (
        f"MATCH (n:{kind.value})-[]-(m) WHERE n.id IN $ids AND NOT m.id IN $seen "
        "RETURN DISTINCT m.id AS mid ORDER BY mid LIMIT $limit"
    )


def evidence(target: NodeKind) -> str:
    return (
        f"MATCH (d:Drug {{id: $drug}})<-[:ABOUT]-(f:Finding)-[:ABOUT]->(t:{target.value} {{id: $target}}) "
        "MATCH (e)-[r:SUPPORTS|CONTRADICTS]->(f) "
        "OPTIONAL MATCH (e)-[:REPORTS]->(fig:Figure)-[:MEASURES]->(f) "
        "RETURN f, label(r) AS stance, e, label(e) AS ekind, r, collect(fig) AS figures"
    )


def recommendations_for_drug() -> str:
    return "MATCH (g)-[r:RECOMMENDS]->(d:Drug {id: $drug}) RETURN g, label(g) AS gkind, r, d.id AS about"


def recommendations_for_findings() -> str:
    return "MATCH (g)-[r:RECOMMENDS]->(f:Finding) WHERE f.id IN $ids RETURN g, label(g) AS gkind, r, f.id AS about"


def shortest_paths(source: NodeKind, target: NodeKind, max_hops: int) -> str:
    types = "|".join(e.value for e in PATH_EDGE_TYPES)
    return (
        f"MATCH p = (a:{source.value} {{id: $a}})-[:{types}* ALL SHORTEST 1..{int(max_hops)}]-"
        f"(b:{target.value} {{id: $b}}) RETURN nodes(p) AS ns, rels(p) AS rs LIMIT $limit"
    )


def edges_from(kind: NodeKind) -> str:
    return f"MATCH (a:{kind.value})-[r]->(b) WHERE a.id IN $ids AND b.id IN $present RETURN a.id AS s, b.id AS t, r"


def all_nodes(kind: NodeKind) -> str:
    return f"MATCH (n:{kind.value}) RETURN n"


def all_edges(edge: EdgeType) -> str:
    return f"MATCH (a)-[r:{edge.value}]->(b) RETURN a.id AS s, b.id AS t, r"


def count_nodes(kind: NodeKind) -> str:
    return f"MATCH (n:{kind.value}) RETURN count(n)"


def count_edges(edge: EdgeType) -> str:
    return f"MATCH ()-[r:{edge.value}]->() RETURN count(r)"


def linked_counts(target: NodeKind) -> str:
    return (
        f"MATCH (d:Drug {{id: $drug}})<-[:ABOUT]-(f:Finding)-[:ABOUT]->(t:{target.value} {{id: $target}}) "
        "MATCH (e)-[r:SUPPORTS|CONTRADICTS]->(f) "
        "RETURN label(r) AS stance, count(DISTINCT e.id) AS n"
    )


def replace_linked(target: NodeKind) -> tuple[str, str]:
    """Delete the old shortcut edge, then create the new one with its counts."""
    delete = f"MATCH (:Drug {{id: $drug}})-[r:LINKED_TO]->(:{target.value} {{id: $target}}) DELETE r"
    create = (
        f"MATCH (d:Drug {{id: $drug}}), (t:{target.value} {{id: $target}}) "
        "CREATE (d)-[:LINKED_TO {id: $id, source_doc: $source_doc, "
        "supporting: $supporting, contradicting: $contradicting}]->(t)"
    )
    return delete, create
