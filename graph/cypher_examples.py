"""Example Cypher queries for this schema, written to run on both the embedded store and Neo4j.

Shown in the explorer's query editor and usable from ``evx query``; kept in ``graph/``
because they are part of the schema's documentation, not of any page.
"""

from __future__ import annotations

__all__ = ["EXAMPLE_QUERIES"]

#: Title → query.  Each is read-only and returns a small result.
EXAMPLE_QUERIES: dict[str, str] = {
    "Outcomes linked to a drug, with the count of supporting and contradicting studies": (
        "MATCH (d:Drug {name: 'mecasermin'})-[l:LINKED_TO]->(o)\n"
        "RETURN d.name AS drug, o.name AS outcome, l.supporting AS supporting, l.contradicting AS contradicting\n"
        "ORDER BY supporting DESC"
    ),
    "Studies and guidelines for and against a claim (as a graph)": (
        "MATCH (e)-[s:SUPPORTS|CONTRADICTS]->(f:Finding)-[a:ABOUT]->(o:Outcome {name: 'hypoglycemia'})\n"
        "RETURN e, s, f, a, o\nLIMIT 100"
    ),
    "Figures reported for an outcome": (
        "MATCH (s:Study)-[:REPORTS]->(x:Figure)-[:MEASURES]->(f:Finding)-[:ABOUT]->(o:Outcome {name: 'hypoglycemia'})\n"
        "RETURN s.name AS study, x.value AS value, x.unit AS unit, x.denominator AS n, x.population AS population\n"
        "ORDER BY study"
    ),
    "Guideline recommendations for a drug": (
        "MATCH (g:Guideline)-[r:RECOMMENDS]->(d:Drug {name: 'mecasermin'})\n"
        "RETURN g.name AS guideline, r.strength AS strength, r.quote AS recommendation"
    ),
    "Documents and how many things were read from each": (
        "MATCH (x)-[:FROM_SOURCE]->(s:Source)\nRETURN s.name AS document, count(x) AS records\nORDER BY records DESC"
    ),
}
