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
from graph.vocabulary import Concept, Vocabulary
from loaders.text.recognize import Recognizer

__all__ = ["browse_concepts", "mesh_concept", "short_ui"]

_UI = re.compile(r"[CD]\d{6,9}")
#: ClinicalTrials.gov pads 7-character MeSH UIs to 10 ("D000003550" is D003550); NLM's own 10-character
#: UIs start above these numbers (descriptors from D000067…, supplementary concepts from C000590…).
_PADDED = re.compile(r"([CD])000(\d{6})")
_FIRST_LONG = {"D": 67000, "C": 590000}


def short_ui(mesh: str) -> str:
    """A MeSH UI as NLM's tables write it: ClinicalTrials.gov's zero padding undone where it is padding."""
    m = _PADDED.fullmatch(mesh)
    if m and int(m.group(2)) < _FIRST_LONG[m.group(1)]:
        return m.group(1) + m.group(2)
    return mesh


def mesh_concept(
    mesh: str,
    name: str | None,
    kind: NodeKind,
    recognizer: Recognizer | None,
    vocabulary: Vocabulary | None = None,
) -> Concept | None:
    """The vocabulary's concept for a MeSH id, else one made from the record's own term (``None`` if neither).

    Without a recogniser, ``vocabulary`` (the bundled names) still gives a curated concept its MeSH id.
    """
    if not _UI.fullmatch(mesh or ""):
        return None
    known = None
    if recognizer is not None:
        known = recognizer.concept_of(mesh)
        if known is None and short_ui(mesh) != mesh:
            known = recognizer.concept_of(short_ui(mesh))
    mesh = short_ui(mesh)
    curated = recognizer.vocabulary if recognizer is not None else vocabulary
    if known is None and curated is not None:  # the curated concept carrying this id keeps its name
        known = next((c for c in curated.concepts if c.codes.get("mesh") == mesh), None)
    if known is None and curated is not None and name:
        known = curated.lookup(name)  # the curated vocabulary knows it by name: the id joins it
        if known is not None and "mesh" not in known.codes:
            known = Concept(known.kind, known.name, known.synonyms, {**known.codes, "mesh": mesh})
    if known is not None:
        return known
    if not name or not name.strip():
        return None
    return Concept(kind, name.strip(), (), {"mesh": mesh})


def browse_concepts(
    derived: Mapping[str, Any] | None, recognizer: Recognizer | None, vocabulary: Vocabulary | None = None
) -> dict[str, list[Concept]]:
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
            concept = mesh_concept(
                str(mesh or ""), term if isinstance(term, str) else None, kind, recognizer, vocabulary
            )
            if concept is not None and concept.id not in seen:
                seen.add(concept.id)
                out[key].append(concept)
    return out
