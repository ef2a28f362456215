"""The Cypher that takes one document's records out of the embedded store (:mod:`graph.store.replacing`).

The same names and parameters as the Neo4j store's (:mod:`graph.store.neo4j.queries`), each
anchored by primary key (``UNWIND $ids … {id: i}``): a ``WHERE n.id IN $ids`` scans the table
in this engine.  User values only travel as parameters.
"""

from __future__ import annotations

from graph.model import EdgeType, NodeKind

__all__ = [
    "count_claims",
    "delete_edges_from",
    "delete_linked",
    "delete_nodes",
    "pairs_of_findings",
    "reattribute_edges",
    "reattribute_nodes",
    "stances_from",
    "stated_nodes",
]

_CLEAR_PROVENANCE = "quote = NULL, {v}.span_start = NULL, {v}.span_end = NULL"


def stated_nodes() -> str:
    """Each node the document ``$x`` states, its provenance document, and the other documents stating it."""
    return (
        "MATCH (n)-[:FROM_SOURCE]->(:Source {id: $x}) "
        "OPTIONAL MATCH (n)-[:FROM_SOURCE]->(o:Source) WHERE o.id <> $x "
        "RETURN n.id, n.source_doc, collect(o.id)"
    )


def stances_from(kind: NodeKind) -> str:
    """The claims the document ``$x`` takes a stance on, from its studies or guidelines ``$ids``."""
    return (
        f"UNWIND $ids AS i MATCH (:{kind.value} {{id: i}})-[r:SUPPORTS|CONTRADICTS]->(f:Finding) "
        "WHERE r.source_doc = $x RETURN DISTINCT f.id"
    )


def pairs_of_findings(target: NodeKind) -> str:
    return (
        f"UNWIND $ids AS i MATCH (d:Drug)<-[:ABOUT]-(f:Finding {{id: i}})-[:ABOUT]->(t:{target.value}) "
        "RETURN DISTINCT d.id, t.id"
    )


def reattribute_edges(edge: EdgeType, source: NodeKind) -> str:
    """Structural edges of ``$x`` leaving the nodes in ``$rows`` pass to ``row.doc`` (which states them too)."""
    clear = _CLEAR_PROVENANCE.format(v="r")
    return (
        f"UNWIND $rows AS row MATCH (a:{source.value} {{id: row.id}})-[r:{edge.value}]->() "
        f"WHERE r.source_doc = $x SET r.source_doc = row.doc, r.{clear}"
    )


def delete_edges_from(edge: EdgeType, source: NodeKind) -> str:
    """The document ``$x``'s edges leaving its nodes ``$ids`` (anchored by primary key, not a table scan)."""
    return f"UNWIND $ids AS i MATCH (:{source.value} {{id: i}})-[r:{edge.value}]->() WHERE r.source_doc = $x DELETE r"


def reattribute_nodes(kind: NodeKind) -> str:
    clear = _CLEAR_PROVENANCE.format(v="n")
    return (
        f"UNWIND $rows AS row MATCH (n:{kind.value} {{id: row.id}}) "
        f"WHERE n.source_doc = $x SET n.source_doc = row.doc, n.{clear}"
    )


def delete_nodes(kind: NodeKind) -> str:
    return f"UNWIND $ids AS i MATCH (n:{kind.value} {{id: i}}) DETACH DELETE n"


def count_claims(target: NodeKind) -> str:
    return (
        f"MATCH (:Drug {{id: $drug}})<-[:ABOUT]-(f:Finding)-[:ABOUT]->(:{target.value} {{id: $target}}) RETURN count(f)"
    )


def delete_linked(target: NodeKind) -> str:
    """The shortcut edge of one (drug, target) pair."""
    return f"MATCH (:Drug {{id: $drug}})-[r:LINKED_TO]->(:{target.value} {{id: $target}}) DELETE r"
