"""Concepts a record's own MeSH indexing names, without reading any text.

PubMed records list ``MeshHeadingList``/``ChemicalList`` descriptor UIs; ClinicalTrials.gov
API v2 records list ``derivedSection.conditionBrowseModule.meshes`` and
``interventionBrowseModule.meshes`` (``{"id": "D007022", "term": "Hypotension"}``).  Both name
MeSH ids, so they map to the open vocabulary's concepts exactly — one node per id, with the
curated name where the bundled vocabulary has one.  Loaders call :func:`browse_concepts` with
the recogniser they were given; it is pure (no database).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from graph.model import NodeKind
from graph.vocabulary import Concept
from loaders.text.recognize import Recognizer

__all__ = ["browse_concepts", "mesh_concept"]

_UI = re.compile(r"[CD]\d{6,9}")


def mesh_concept(mesh: str, name: str | None, kind: NodeKind, recognizer: Recognizer | None) -> Concept | None:
    """The vocabulary's concept for a MeSH id, else one made from the record's own term (``None`` if neither)."""
    if not _UI.fullmatch(mesh or ""):
        return None
    known = recognizer.concept_of(mesh) if recognizer is not None else None
    if known is None and recognizer is not None and name:
        known = recognizer.vocabulary.lookup(name)  # the curated vocabulary knows it by name: the id joins it
        if known is not None and "mesh" not in known.codes:
            known = Concept(known.kind, known.name, known.synonyms, {**known.codes, "mesh": mesh})
    if known is not None:
        return known
    if not name or not name.strip():
        return None
    return Concept(kind, name.strip(), (), {"mesh": mesh})


def browse_concepts(derived: Mapping[str, Any] | None, recognizer: Recognizer | None) -> dict[str, list[Concept]]:
    """``{"conditions": [...], "interventions": [...]}`` from a ClinicalTrials.gov ``derivedSection``.

    Conditions become Condition concepts and interventions Drug concepts (unless the vocabulary
    says otherwise); entries without a valid MeSH id are left out; each id appears once.
    """
    out: dict[str, list[Concept]] = {"conditions": [], "interventions": []}
    if not isinstance(derived, Mapping):
        return out
    for key, module, kind in (
        ("conditions", "conditionBrowseModule", NodeKind.CONDITION),
        ("interventions", "interventionBrowseModule", NodeKind.DRUG),
    ):
        section = derived.get(module)
        meshes = section.get("meshes") if isinstance(section, Mapping) else None
        seen: set[str] = set()
        for entry in meshes if isinstance(meshes, list) else ():
            if not isinstance(entry, Mapping):
                continue
            mesh, term = entry.get("id"), entry.get("term")
            concept = mesh_concept(str(mesh or ""), term if isinstance(term, str) else None, kind, recognizer)
            if concept is not None and concept.id not in seen:
                seen.add(concept.id)
                out[key].append(concept)
    return out
