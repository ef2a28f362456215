"""Every Cypher string the Neo4j store sends, built in one place.

User values only ever travel as parameters; what is formatted into the text are labels,
relationship types and column names from the model's enums, and integers.  The text is
written for Neo4j 5 first; where ArcadeDB's Bolt server (used in the tests) differs, the
form chosen works on both (see ``docs/neo4j.md``).
"""

from __future__ import annotations

from graph.model import EDGE_COLUMNS, EdgeType, NodeKind, node_columns
from graph.store.base import PATH_EDGE_TYPES

__all__ = [
    "all_edges",
    "all_nodes",
    "concept_names",
    "count_edges",
    "count_nodes",
    "create_id_constraint",
    "edges_from",
    "evidence",
    "existing_nodes",
    "linked_counts",
    "merge_edges",
    "merge_linked",
    "merge_nodes",
    "neighbour_count",
    "neighbour_ids",
    "node_by_id",
    "nodes_by_ids",
    "recommendations_for_drug",
    "recommendations_for_findings",
    "search_kind",
    "shortest_paths",
    "stored_sources",
]


def create_id_constraint(kind: NodeKind) -> str:
    """Unique ids per kind; the constraint's index also makes ``MERGE`` on id fast."""
    return f"CREATE CONSTRAINT evx_{kind.prefix}_id IF NOT EXISTS FOR (n:{kind.value}) REQUIRE n.id IS UNIQUE"


def stored_sources() -> str:
    return "UNWIND $ids AS id MATCH (s:Source {id: id}) RETURN s.id AS id"


def existing_nodes(kind: NodeKind) -> str:
    return f"MATCH (n:{kind.value}) WHERE n.id IN $ids RETURN n.id AS id, properties(n) AS props"


def merge_nodes(kind: NodeKind) -> str:
    """Create missing nodes and fill only the properties a stored node lacks (never overwrite)."""
    sets = ", ".join(f"n.{col} = coalesce(n.{col}, row.{col})" for col in node_columns(kind) if col != "id")
    return f"UNWIND $rows AS row MERGE (n:{kind.value} {{id: row.id}}) SET {sets}"


def merge_edges(edge: EdgeType, source: NodeKind, target: NodeKind) -> str:
    sets = ", ".join(f"r.{col} = coalesce(r.{col}, row.{col})" for col in EDGE_COLUMNS if col != "id")
    return (
        f"UNWIND $rows AS row MATCH (a:{source.value} {{id: row.from}}) MATCH (b:{target.value} {{id: row.to}}) "
        f"MERGE (a)-[r:{edge.value} {{id: row.id}}]->(b) SET {sets}"
    )


def linked_counts(target: NodeKind) -> str:
    return (
        f"MATCH (d:Drug {{id: $drug}})<-[:ABOUT]-(f:Finding)-[:ABOUT]->(t:{target.value} {{id: $target}}) "
        "WITH DISTINCT f "
        "MATCH (e)-[r:SUPPORTS|CONTRADICTS]->(f) "
        "RETURN type(r) AS stance, count(DISTINCT e.id) AS n"
    )


def merge_linked(target: NodeKind) -> str:
    """The shortcut edge, created once per pair and its counts replaced."""
    return (
        f"MATCH (d:Drug {{id: $drug}}) MATCH (t:{target.value} {{id: $target}}) "
        "MERGE (d)-[r:LINKED_TO {id: $id}]->(t) "
        "SET r.source_doc = $source_doc, r.supporting = $supporting, r.contradicting = $contradicting"
    )


def node_by_id(kind: NodeKind) -> str:
    return f"MATCH (n:{kind.value} {{id: $id}}) RETURN n"


def nodes_by_ids(kind: NodeKind) -> str:
    return f"MATCH (n:{kind.value}) WHERE n.id IN $ids RETURN n"


def concept_names(kind: NodeKind) -> str:
    return f"MATCH (n:{kind.value}) RETURN n.id AS id, n.name AS name, n.synonyms AS synonyms"


def search_kind(kind: NodeKind) -> str:
    """Every column aliased: Neo4j rejects two columns named ``NULL``, ArcadeDB silently merges them."""
    cols = node_columns(kind)
    extra = " OR toLower(n.synonyms) CONTAINS $q" if "synonyms" in cols else ""
    title = " OR toLower(n.title) CONTAINS $q" if "title" in cols else ""
    return (
        f"MATCH (n:{kind.value}) WHERE toLower(n.name) CONTAINS $q{extra}{title} "
        f"RETURN n.id AS id, n.name AS name, {'n.synonyms' if extra else 'NULL'} AS synonyms, "
        f"{'n.title' if title else 'NULL'} AS title LIMIT $cap"
    )


def neighbour_count(kind: NodeKind) -> str:
    return f"MATCH (n:{kind.value})-[]-(m) WHERE n.id IN $ids AND NOT m.id IN $seen RETURN count(DISTINCT m.id)"


def neighbour_ids(kind: NodeKind, *, limited: bool = True) -> str:
    """Neighbour ids in id order: the first ``$limit`` of them, or all when not ``limited``."""
    return (
        f"MATCH (n:{kind.value})-[]-(m) WHERE n.id IN $ids AND NOT m.id IN $seen "
        "RETURN DISTINCT m.id AS mid ORDER BY mid" + (" LIMIT $limit" if limited else "")
    )


def evidence(target: NodeKind) -> str:
    """One row per stance edge: a claim loaded from several documents has several ABOUT edges
    to the same drug, so the claims are made distinct before the stances are expanded."""
    return (
        f"MATCH (d:Drug {{id: $drug}})<-[:ABOUT]-(f:Finding)-[:ABOUT]->(t:{target.value} {{id: $target}}) "
        "WITH DISTINCT f "
        "MATCH (e)-[r:SUPPORTS|CONTRADICTS]->(f) "
        "OPTIONAL MATCH (e)-[:REPORTS]->(fig:Figure)-[:MEASURES]->(f) "
        "RETURN f, type(r) AS stance, e, labels(e) AS ekind, r, collect(DISTINCT fig) AS figures"
    )


def recommendations_for_drug() -> str:
    return "MATCH (g)-[r:RECOMMENDS]->(d:Drug {id: $drug}) RETURN g, labels(g) AS gkind, r, d.id AS about"


def recommendations_for_findings() -> str:
    return "MATCH (g)-[r:RECOMMENDS]->(f:Finding) WHERE f.id IN $ids RETURN g, labels(g) AS gkind, r, f.id AS about"


def shortest_paths(source: NodeKind, target: NodeKind, max_hops: int) -> str:
    """All shortest undirected paths, returned as id lists (ArcadeDB has no Bolt paths for these)."""
    types = "|".join(e.value for e in PATH_EDGE_TYPES)
    return (
        f"MATCH (a:{source.value} {{id: $a}}) MATCH (b:{target.value} {{id: $b}}) "
        f"MATCH p = allShortestPaths((a)-[:{types}*1..{int(max_hops)}]-(b)) "
        "RETURN [n IN nodes(p) | n.id] AS ns, "
        "[r IN relationships(p) | [startNode(r).id, type(r), endNode(r).id, r.id]] AS rs LIMIT $limit"
    )


def edges_from(kind: NodeKind) -> str:
    return (
        f"MATCH (a:{kind.value})-[r]->(b) WHERE a.id IN $ids AND b.id IN $present "
        "RETURN a.id AS s, b.id AS t, type(r) AS type, r"
    )


def all_nodes(kind: NodeKind) -> str:
    return f"MATCH (n:{kind.value}) RETURN n"


def all_edges(edge: EdgeType) -> str:
    return f"MATCH (a)-[r:{edge.value}]->(b) RETURN a.id AS s, b.id AS t, type(r) AS type, r"


def count_nodes(kind: NodeKind) -> str:
    return f"MATCH (n:{kind.value}) RETURN count(n)"


def count_edges(edge: EdgeType) -> str:
    return f"MATCH ()-[r:{edge.value}]->() RETURN count(r)"


# -- replacing one document (graph/store/replacing.py) ----------------------------------------
def stated_nodes() -> str:
    """Each node the document ``$x`` states, its provenance document, and the other documents stating it."""
    return (
        "MATCH (n)-[:FROM_SOURCE]->(:Source {id: $x}) "
        "OPTIONAL MATCH (n)-[:FROM_SOURCE]->(o:Source) WHERE o.id <> $x "
        "RETURN n.id AS id, n.source_doc AS was, collect(o.id) AS others"
    )


def stances_from(kind: NodeKind) -> str:
    """The claims the document ``$x`` takes a stance on, from its studies or guidelines ``$ids``."""
    return (
        f"MATCH (e:{kind.value})-[r:SUPPORTS|CONTRADICTS]->(f:Finding) WHERE e.id IN $ids AND r.source_doc = $x "
        "RETURN DISTINCT f.id AS id"
    )


def pairs_of_findings(target: NodeKind) -> str:
    return (
        f"MATCH (d:Drug)<-[:ABOUT]-(f:Finding)-[:ABOUT]->(t:{target.value}) WHERE f.id IN $ids "
        "RETURN DISTINCT d.id AS drug, t.id AS target"
    )


def reattribute_edges(edge: EdgeType, source: NodeKind) -> str:
    """Structural edges of ``$x`` leaving the nodes in ``$rows`` pass to ``row.doc`` (which states them too)."""
    return (
        f"UNWIND $rows AS row MATCH (a:{source.value} {{id: row.id}})-[r:{edge.value}]->() "
        "WHERE r.source_doc = $x "
        "SET r.source_doc = row.doc, r.quote = null, r.span_start = null, r.span_end = null"
    )


def delete_edges_from(edge: EdgeType, source: NodeKind) -> str:
    return f"MATCH (a:{source.value})-[r:{edge.value}]->() WHERE a.id IN $ids AND r.source_doc = $x DELETE r"


def reattribute_nodes(kind: NodeKind) -> str:
    return (
        f"UNWIND $rows AS row MATCH (n:{kind.value} {{id: row.id}}) WHERE n.source_doc = $x "
        "SET n.source_doc = row.doc, n.quote = null, n.span_start = null, n.span_end = null"
    )


def delete_nodes(kind: NodeKind) -> str:
    return f"MATCH (n:{kind.value}) WHERE n.id IN $ids DETACH DELETE n"


def count_claims(target: NodeKind) -> str:
    return (
        f"MATCH (:Drug {{id: $drug}})<-[:ABOUT]-(f:Finding)-[:ABOUT]->(:{target.value} {{id: $target}}) "
        "RETURN count(f) AS n"
    )


def delete_linked(target: NodeKind) -> str:
    return f"MATCH (:Drug {{id: $drug}})-[r:LINKED_TO]->(:{target.value} {{id: $target}}) DELETE r"
