"""Claims and concepts of a PubMed article over the open vocabulary (used by :mod:`loaders.pubmed`).

The record's own indexing comes first: ``MeshHeadingList`` descriptors and ``ChemicalList``
substances carry MeSH UIs, so they become concepts without any name matching.  Then the
title and abstract are read: every concept the recogniser finds is a node of the document
(with the words that named it as its quote), and the claim model of
:mod:`loaders.text.claims` decides which drug → disease pairs the text states as adverse
effects (SUPPORTS) or denies (CONTRADICTS).  A claim quotes its sentence verbatim, at its
place in the record XML; percentages in that sentence attach as figures with the
denominator the sentence gives, and nothing outside the sentence is attached.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from graph.model import EdgeType, NodeKind
from graph.vocabulary import Concept, Mention
from loaders.mesh_concepts import mesh_concept
from loaders.text.claims import adverse_claims
from loaders.text.figures import find_figures
from loaders.text.open_terms import open_claims
from loaders.text.recognize import Recognizer
from loaders.text.sentences import Span
from loaders.text.sentences import sentences as split_sentences

__all__ = ["read_claims", "record_concepts"]

#: Whether, over an imported vocabulary, claims about names it does not know are read by their shape too.
#: Off: on the CDR development set it added 49 claims, none with a MeSH id on both ends, and relation F1 fell
#: 0.560 → 0.546 (docs/literature.md, "Without a vocabulary").
OPEN_TERMS_WITH_VOCABULARY = False


def _escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def record_concepts(reader: Any, recognizer: Recognizer) -> None:
    """Concepts from the record's MeSH descriptor and substance UIs (no name matching needed)."""
    for path in ("MeshHeadingList/MeshHeading/DescriptorName", "ChemicalList/Chemical/NameOfSubstance"):
        for node in reader.citation.findall(path):
            ui = (node.get("UI") or "").strip()
            name = "".join(node.itertext()).strip()
            if path.startswith("ChemicalList"):  # every substance listed is a chemical, known to the vocabulary or not
                concept = mesh_concept(ui, name, NodeKind.DRUG, recognizer)
            else:  # headings include "Humans", "Male": only those the vocabulary knows as drugs or conditions
                concept = recognizer.concept_of(ui) if ui else None
            if concept is None or concept.id in reader.concept_ids:
                continue
            reader.concept_ids.add(concept.id)
            reader.b.add_concept(concept, quote=_escaped(name) if name else None)
            if concept.kind is NodeKind.DRUG:
                reader.drugs.append(concept.id)
                reader.b.add_edge(EdgeType.STUDIES, reader.study, concept.id, quote=_escaped(name) or None)
            elif concept.kind is NodeKind.CONDITION:
                reader.b.add_edge(EdgeType.STUDIED_IN, reader.study, concept.id, quote=_escaped(name) or None)


class _Part:
    """The title or one AbstractText, where it sits in the joined text and in the record XML."""

    def __init__(self, text: str, start: int, xml_offset: int, raw: str | None = None) -> None:
        self.text = text
        self.raw = raw  # the part as the XML writes it, inline markup included
        self.start = start
        self.end = start + len(text)
        self.xml_offset = xml_offset


def read_claims(reader: Any, recognizer: Recognizer | None, sections: list[tuple[ET.Element, str]]) -> None:
    """Concept mentions, claims with stance, and their figures from the title and abstract.

    Without a recogniser (no vocabulary imported) only the claims :mod:`loaders.text.open_terms`
    reads by the shape of their words are taken, over the bundled vocabulary's names.
    """
    b = reader.b
    xml = b.text
    title_node = reader.article.find("ArticleTitle")
    plain_title = title_node is not None and len(title_node) == 0
    parts = [_Part(reader.title, 0, xml.find(_escaped(reader.title)) if plain_title else -1, reader._title_quote())]
    search_from = max(xml.find("<Abstract"), 0)
    for node, section in sections:
        start = parts[-1].end + 1
        offset = xml.find(_escaped(section), search_from) if len(node) == 0 else -1
        parts.append(_Part(section, start, offset))
    joined = " ".join(p.text for p in parts)
    mentions = recognizer.mentions(joined) if recognizer is not None else list(b.vocabulary.mentions(joined))
    sentences: list[Span] = []
    for part in parts[1:]:
        sentences.extend(split_sentences(joined, part.start, part.end))
    title = Span(0, parts[0].end, reader.title)
    # -- open terms (loaders/text/open_terms.py): stated claims about names no vocabulary knows --------------
    opened = []
    if recognizer is None or OPEN_TERMS_WITH_VOCABULARY:
        opened = open_claims(joined, sentences, mentions, title=title, only_unknown=recognizer is not None)
    if recognizer is None:
        mentions = []  # the bundled vocabulary's names: the curated reading adds those it uses
    named = [m for o in opened for m in (o.drug, o.disease)]
    # -- end open terms ---------------------------------------------------------------------------------------
    for mention in _first_of_each([*mentions, *named]):
        quote, start = _quote(xml, parts, mention.start, mention.end)
        b.add_concept(mention.concept, quote=quote, start=start)
    claims = (
        adverse_claims(
            joined,
            sentences,
            mentions,
            title=title,
            trees=recognizer.trees,
            known=recognizer.known,
            roles=recognizer.roles,
            rates=recognizer.rates if recognizer.concept_roles else None,
        )
        if recognizer is not None
        else []
    )
    claimed = {(c.drug.id, c.disease.id) for c in claims}
    claims += [o.claim for o in opened if (o.claim.drug.id, o.claim.disease.id) not in claimed]
    for claim in claims:
        said = claim.sentence
        if claim.sentences and not _one_part(parts, said):
            said = claim.sentences[0]  # sentences in two sections of a structured abstract: the disease's alone
        quote, start = _quote(xml, parts, said.start, said.end)
        finding = b.add_finding(claim.drug.id, claim.disease.id, None, quote=quote, start=start)
        if recognizer is None and (claim.stance, finding) in reader.stances:
            continue  # the curated reading took this stance already (a claim between two bundled names)
        b.add_edge(claim.stance, reader.study, finding, quote=quote, start=start)
        if claim.stance is EdgeType.SUPPORTS:
            for sentence in claim.sentences or (claim.sentence,):
                _figures(reader, joined, parts, sentence, claim.disease, finding)


def _one_part(parts: list[_Part], span: Span) -> bool:
    return any(p.start <= span.start and span.end <= p.end for p in parts)


def _first_of_each(mentions: list[Mention]) -> list[Mention]:
    seen: dict[str, Mention] = {}
    for m in mentions:
        seen.setdefault(m.concept.id, m)
    return list(seen.values())


def _quote(xml: str, parts: list[_Part], begin: int, end: int) -> tuple[str | None, int | None]:
    """``joined[begin:end]`` as it stands in the record XML, and where (when the part's place is known)."""
    part = next(p for p in parts if p.start <= begin < p.end or (begin == p.end == end))
    local, local_end = begin - part.start, min(end, part.end) - part.start
    escaped = _escaped(part.text[local:local_end])
    if part.xml_offset < 0:
        # inline markup splits the part: the whole part is quoted as the XML writes it, a piece only if verbatim
        if (local, local_end) == (0, len(part.text)) and part.raw and part.raw in xml:
            return part.raw, None
        return (escaped if escaped in xml else None), None
    start = part.xml_offset + len(_escaped(part.text[:local]))
    return escaped, start if xml[start : start + len(escaped)] == escaped else None


def _figures(reader: Any, joined: str, parts: list[_Part], sentence: Span, disease: Concept, finding: str) -> None:
    """Percentages the claim's own sentence states, with the denominator it gives."""
    if "%" not in joined[sentence.start : sentence.end]:
        return  # only percentages attach to a claim
    for fig in find_figures(joined, sentence.start, sentence.end):
        if fig.value is None or fig.unit != "%" or not (sentence.start <= fig.start and fig.end <= sentence.end):
            continue
        quote, start = _quote(reader.b.text, parts, fig.start, fig.end)
        reader.b.add_figure(
            reader.study,
            finding,
            label=disease.name,
            value=fig.value,
            unit=fig.unit,
            numerator=fig.numerator,
            denominator=fig.denominator,
            p_value=fig.p_value,
            quote=quote,
            start=start,
        )
