"""PubMed XML (``PubmedArticleSet`` as efetch returns it): one document per article.

The article's Study node is ``study:doi:…`` when it has a DOI (so it meets the node a
report citing the same DOI made), else ``study:pmid:…``.  Trial registrations it names
(``DataBank`` ClinicalTrials.gov accession numbers, NCT ids in the abstract) become
``SAME_STUDY`` edges to ``study:nct:…``.  MeSH headings and chemicals map to Drug and
Condition concepts through the vocabulary; figures and stances are read from the
abstract with the same rules as the report loader (:mod:`loaders.text`).

The file is parsed with ``defusedxml`` (entity declarations and external entities are
refused; the public DOCTYPE line efetch writes is allowed) and streamed with
``iterparse``, one article in memory at a time.  A broken article is a warning naming
its PMID; the others load.

Longer than our ~400-line habit on purpose: one format's reader, from the XML walk to the
document it builds; its sentence-level reading lives in :mod:`loaders.literature` and
:mod:`loaders.text`.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from graph.errors import LoadError, RecordError
from graph.ids import study_id
from graph.model import Document, EdgeType, NodeKind
from graph.vocabulary import Mention, Vocabulary
from loaders import literature, trials
from loaders.base import DocumentBuilder, open_document, skipped_record, with_warnings
from loaders.text.figures import FigureMention, find_figures
from loaders.text.language import unreadable_language
from loaders.text.recognize import Recognizer
from loaders.text.sentences import clauses, sentences
from loaders.text.stance import stance

__all__ = ["MAX_DEPTH", "PubmedLoader", "article_document", "design_of"]

#: Deepest element nesting a file may have.  Real records nest about ten levels; deeper markup
#: made reading an abstract's text run for tens of seconds, so the file is refused as it streams.
MAX_DEPTH = 200

_NCT = re.compile(r"\bNCT\d{8}\b")
#: Publication types, most specific first → the design name studies use across sources.
_DESIGNS: tuple[tuple[str, str], ...] = (
    ("Meta-Analysis", "meta-analysis"),
    ("Systematic Review", "systematic review"),
    ("Randomized Controlled Trial", "randomized controlled trial"),
    ("Controlled Clinical Trial", "controlled clinical trial"),
    ("Clinical Trial, Phase I", "clinical trial"),
    ("Clinical Trial, Phase II", "clinical trial"),
    ("Clinical Trial, Phase III", "clinical trial"),
    ("Clinical Trial, Phase IV", "clinical trial"),
    ("Clinical Trial", "clinical trial"),
    ("Observational Study", "observational study"),
    ("Comparative Study", "comparative study"),
    ("Case Reports", "case report"),
    ("Practice Guideline", "guideline"),
    ("Guideline", "guideline"),
    ("Review", "review"),
    ("Editorial", "commentary"),
    ("Comment", "commentary"),
    ("Letter", "commentary"),
)
_PHASES = {"Phase I": "Phase 1", "Phase II": "Phase 2", "Phase III": "Phase 3", "Phase IV": "Phase 4"}
#: MEDLINE's ISO 639-2 article languages → the two-letter codes the project uses.
_LANGUAGES = {
    "eng": "en",
    "dut": "nl",
    "ger": "de",
    "fre": "fr",
    "spa": "es",
    "ita": "it",
    "por": "pt",
    "jpn": "ja",
    "chi": "zh",
    "rus": "ru",
    "pol": "pl",
    "swe": "sv",
    "dan": "da",
    "nor": "no",
}


def design_of(publication_types: list[str]) -> tuple[str | None, str | None]:
    """(design, phase) from PubMed publication types, most specific type first."""
    given = {" ".join(p.split()).casefold() for p in publication_types}
    design = next((name for ptype, name in _DESIGNS if ptype.casefold() in given), None)
    phase = None
    for ptype in publication_types:
        m = re.fullmatch(r"Clinical Trial, (Phase I{1,3}V?|Phase IV)", " ".join(ptype.split()), re.IGNORECASE)
        if m:
            phase = {k.casefold(): v for k, v in _PHASES.items()}.get(m.group(1).casefold())
    return design, phase


class PubmedLoader:
    name = "pubmed"
    description = "PubMed XML (`PubmedArticleSet` from efetch)"

    def __init__(self, recognizer: Recognizer | None = None) -> None:
        self.recognizer = recognizer

    def with_recognizer(self, recognizer: Recognizer | None) -> PubmedLoader:
        """The loader reading claims over an open vocabulary (the store's), not only the bundled one."""
        return PubmedLoader(recognizer)

    def sniff(self, path: Path, head: bytes) -> bool:
        return b"<PubmedArticleSet" in head or (head.lstrip().startswith(b"<") and b"<PubmedArticle>" in head)

    def load(self, path: Path) -> Iterator[Document]:
        with open_document(path) as handle:
            yield from load_stream(handle, path=str(path), recognizer=self.recognizer)


def load_stream(
    handle: IO[bytes], *, path: str, vocabulary: Vocabulary | None = None, recognizer: Recognizer | None = None
) -> Iterator[Document]:
    """Documents of every readable article; a broken one is a warning on a neighbour document."""
    vocabulary = vocabulary or Vocabulary.default()
    pending: Document | None = None
    problems: list[str] = []
    first_error: LoadError | None = None
    count = 0
    root = None
    depth = 0
    try:
        for event, elem in SafeET.iterparse(handle, events=("start", "end")):
            if event == "start":
                depth += 1
                if depth > MAX_DEPTH:
                    raise LoadError(f"refused: elements are nested deeper than {MAX_DEPTH} levels", path=path)
                if root is None:
                    root = elem
                    if elem.tag != "PubmedArticleSet":
                        raise LoadError(f"expected <PubmedArticleSet>, found <{elem.tag}>", path=path)
                continue
            depth -= 1
            if depth != 1:  # only whole records, the children of <PubmedArticleSet>
                continue
            count += 1
            if elem.tag == "PubmedArticle":
                label = _label(elem, count)
                try:
                    document = article_document(
                        elem, path=path, label=label, vocabulary=vocabulary, recognizer=recognizer
                    )
                except (LoadError, RecordError) as exc:
                    first_error = first_error or (exc if isinstance(exc, LoadError) else LoadError(str(exc), path=path))
                    problems.append(skipped_record(label, exc))
                else:
                    if pending is not None:
                        yield pending
                    pending = with_warnings(document, problems)
                    problems = []
            elif elem.tag != "DeleteCitation":
                problems.append(f"<{elem.tag}> record {count}: not a journal article; skipped")
            elem.clear()  # keep one article in memory, not the file (the parser may have read ahead)
            root.remove(elem)
    except DefusedXmlException as exc:
        raise LoadError(
            f"refused: the XML declares entities or external references ({type(exc).__name__}); "
            "PubMed never sends those",
            path=path,
        ) from None
    except SafeET.ParseError as exc:
        if pending is None:
            raise LoadError(f"not well-formed XML: {exc}", path=path, line=exc.position[0]) from None
        problems.append(f"the XML breaks off at line {exc.position[0]} after {count} records: {exc}")
    if pending is not None:
        yield with_warnings(pending, problems)
    elif problems:
        if count == 1 and first_error is not None:
            raise first_error
        raise LoadError("no article could be read: " + "; ".join(problems), path=path)
    elif root is None:
        raise LoadError("the file is empty", path=path)


def _label(elem: ET.Element, index: int) -> str:
    pmid = _text(elem.find("MedlineCitation/PMID"))
    return f"PMID {pmid}" if pmid else f"PubmedArticle {index}"


def _text(elem: ET.Element | None) -> str | None:
    """All text inside an element (inline markup such as <i> flattened), or ``None``."""
    if elem is None:
        return None
    value = "".join(elem.itertext()).strip()
    return value or None


def _escaped(text: str) -> str:
    """How element text appears in serialised XML."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def article_document(
    elem: ET.Element,
    *,
    path: str | None = None,
    label: str = "article",
    vocabulary: Vocabulary | None = None,
    recognizer: Recognizer | None = None,
) -> Document:
    """One ``PubmedArticle`` element as a document; :class:`LoadError` names the PMID and field."""
    citation = elem.find("MedlineCitation")
    if citation is None:
        raise LoadError(f"{label}: no MedlineCitation", path=path, field="MedlineCitation")
    pmid = _text(citation.find("PMID"))
    if not pmid or not pmid.isdigit():
        raise LoadError(f"{label}: no PMID", path=path, field="MedlineCitation/PMID")
    article = citation.find("Article")
    if article is None:
        raise LoadError(f"PMID {pmid}: no Article", path=path, field="MedlineCitation/Article")
    elem.tail = None
    text = ET.tostring(elem, encoding="unicode")
    title = _text(article.find("ArticleTitle")) or _text(article.find("VernacularTitle"))
    if not title:
        raise LoadError(f"PMID {pmid}: no title", path=path, field="Article/ArticleTitle")
    doi = None
    for node in (*elem.findall("PubmedData/ArticleIdList/ArticleId"), *article.findall("ELocationID")):
        if (node.get("IdType") or node.get("EIdType")) == "doi" and _text(node):
            doi = _text(node)
            break
    builder = DocumentBuilder(
        text=text,
        source_type="pubmed",
        title=f"PubMed {pmid}: {title}",
        path=path,
        vocabulary=vocabulary or Vocabulary.default(),
        source_props={"uri": f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/", "language": _language(article)},
    )
    _ArticleReader(builder, elem, citation, article, pmid=pmid, doi=doi, title=title, recognizer=recognizer).read()
    try:
        return builder.build()
    except LoadError as exc:
        raise LoadError(f"PMID {pmid}: {exc.reason}", path=path) from None


class _ArticleReader:
    def __init__(
        self,
        builder: DocumentBuilder,
        elem: ET.Element,
        citation: ET.Element,
        article: ET.Element,
        *,
        pmid: str,
        doi: str | None,
        title: str,
        recognizer: Recognizer | None = None,
    ) -> None:
        self.recognizer = recognizer
        self.b = builder
        self.elem = elem
        self.citation = citation
        self.article = article
        self.pmid = pmid
        self.doi = doi
        self.title = title
        self.study = study_id(doi=doi, pmid=pmid)
        self.drugs: list[str] = []
        self.concept_ids: set[str] = set()  # concepts the record's own MeSH indexing named
        self.stances: set[tuple[EdgeType, str]] = set()

    def read(self) -> None:
        article = self.article
        authors = []
        for author in article.findall("AuthorList/Author"):
            last, initials = _text(author.find("LastName")), _text(author.find("Initials"))
            collective = _text(author.find("CollectiveName"))
            if last:
                authors.append(f"{last} {initials}" if initials else last)
            elif collective:
                authors.append(collective)
        year_text = _text(article.find("Journal/JournalIssue/PubDate/Year")) or _text(
            article.find("Journal/JournalIssue/PubDate/MedlineDate")
        )
        year_match = re.match(r"(\d{4})", year_text or "")
        year = int(year_match.group(1)) if year_match else None
        ptypes = [t for t in (_text(p) for p in article.findall("PublicationTypeList/PublicationType")) if t]
        design, phase = design_of(ptypes)
        article_language = _language(article)
        sections = [(node, _text(node)) for node in article.findall("Abstract/AbstractText") if _text(node)]
        abstract = "\n".join((f"{n.get('Label')}: {t}" if n.get("Label") else t) for n, t in sections) or None
        first = authors[0].split(" ")[0] if authors else None
        self.b.add_node(
            self.study,
            NodeKind.STUDY,
            f"{first} {year}" if first and year else self.title,
            {
                "title": self.title,
                "authors": "; ".join(authors) or None,
                "year": year,
                "journal": _text(article.find("Journal/Title")),
                "volume": _text(article.find("Journal/JournalIssue/Volume")),
                "pages": _text(article.find("Pagination/MedlinePgn")),
                "doi": self.doi,
                "pmid": self.pmid,
                "url": f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/",
                "design": design,
                "phase": phase,
                "publication_types": "; ".join(ptypes) or None,
                "abstract": abstract,
                "language": article_language,
            },
            quote=self._title_quote(),
        )
        self._concepts()
        self._trials(abstract or "")
        abstract_language = unreadable_language(abstract or "")
        if abstract_language:
            self.b.warn(
                f"PMID {self.pmid}: the abstract reads as {abstract_language!r}; figures and stances are read "
                "only from English or Dutch text, so none were taken from it"
            )
            return
        # the curated vocabulary's reading (outcomes with populations and incidence figures) always runs;
        # over an open vocabulary the literature's drug → disease claims are read as well, and meet it
        # at the same finding ids where both find a claim
        if self.recognizer is None or self._names_a_curated_outcome(sections):
            for node, section in sections:
                self._abstract_section(node, section)
        # without one, the claims the text states outright about names no vocabulary knows (open_terms)
        literature.read_claims(self, self.recognizer, sections)

    def _names_a_curated_outcome(self, sections: list[tuple[ET.Element, str]]) -> bool:
        """Whether the abstract names an outcome of the curated vocabulary (else its reading finds nothing)."""
        if self.recognizer is None:
            return True
        # the title and abstract as literature.read_claims joins them: the recogniser reads them once for both
        text = " ".join([self.title, *(section for _, section in sections)])
        start = len(self.title) + 1
        return any(m.concept.kind is NodeKind.OUTCOME and m.start >= start for m in self.recognizer.mentions(text))

    def _title_quote(self) -> str:
        """The title as it stands in the record XML, inline markup (<i>, <sup>) included."""
        node = self.article.find("ArticleTitle")
        if node is None or len(node) == 0:
            return _escaped(self.title)
        tail, node.tail = node.tail, None
        xml = ET.tostring(node, encoding="unicode")
        node.tail = tail
        inner = xml[xml.index(">") + 1 : xml.rindex("</")]
        return inner.strip()

    # -- concepts ---------------------------------------------------------------------
    def _concepts(self) -> None:
        if self.recognizer is not None:
            literature.record_concepts(self, self.recognizer)
        names = [
            *(_text(d) for d in self.citation.findall("MeshHeadingList/MeshHeading/DescriptorName")),
            *(_text(c) for c in self.citation.findall("ChemicalList/Chemical/NameOfSubstance")),
        ]
        seen: set[str] = set()
        for name in names:
            if not name:
                continue
            concept = self.b.vocabulary.lookup(name)
            if (
                concept is None
                or concept.id in seen
                or concept.id in self.concept_ids
                or concept.kind is NodeKind.OUTCOME
            ):
                continue
            seen.add(concept.id)
            self.b.add_concept(concept, quote=_escaped(name))
            if concept.kind is NodeKind.DRUG:
                self.drugs.append(concept.id)
                self.b.add_edge(EdgeType.STUDIES, self.study, concept.id, quote=_escaped(name))
            else:
                self.b.add_edge(EdgeType.STUDIED_IN, self.study, concept.id, quote=_escaped(name))
        if not self.drugs:  # no MeSH drug: the title names it, if anything does
            for mention in self.b.vocabulary.mentions(self.title, NodeKind.DRUG):
                if mention.concept.id not in self.drugs:
                    self.b.add_concept(mention.concept, quote=_escaped(mention.text))
                    self.drugs.append(mention.concept.id)
                    self.b.add_edge(EdgeType.STUDIES, self.study, mention.concept.id, quote=_escaped(mention.text))

    def _trials(self, abstract: str) -> None:
        accessions = [
            _text(a)
            for bank in self.citation.findall("Article/DataBankList/DataBank")
            if _text(bank.find("DataBankName")) == "ClinicalTrials.gov"
            for a in bank.findall("AccessionNumberList/AccessionNumber")
        ]
        found = dict.fromkeys(n.strip().upper() for n in (*accessions, *_NCT.findall(abstract)) if n)
        for nct in found:
            if not _NCT.fullmatch(nct):
                self.b.warn(f"PMID {self.pmid}: {nct!r} is not an NCT id; not linked")
                continue
            trial = study_id(nct_id=nct)
            if trial == self.study:
                continue
            self.b.add_node(trial, NodeKind.STUDY, nct, {"nct_id": nct, "url": trials.trial_url(nct)}, quote=nct)
            self.b.add_edge(EdgeType.SAME_STUDY, self.study, trial, quote=nct)

    # -- the abstract -----------------------------------------------------------------
    def _abstract_section(self, node: ET.Element, section: str) -> None:
        """Findings, stances and figures from one AbstractText, quoted from the record XML."""
        # Where the section's text starts in the record XML; unknown (-1) when inline markup splits it.
        offset = self.b.text.find(_escaped(section), max(self.b.text.find("<Abstract"), 0)) if len(node) == 0 else -1
        vocab = self.b.vocabulary
        for sentence in sentences(section):
            outcomes = list(vocab.mentions(sentence.text, NodeKind.OUTCOME))
            if not outcomes:
                continue
            drugs: list[str] = []
            for mention in vocab.mentions(sentence.text, NodeKind.DRUG):
                if mention.concept.id not in drugs:
                    drugs.append(self.b.add_concept(mention.concept, quote=_escaped(mention.text)))
            drugs = drugs or self.drugs
            if not drugs:
                continue
            conditions = list(vocab.mentions(sentence.text, NodeKind.CONDITION))
            quote, start = self._quote(section, offset, sentence.start, sentence.end)
            parts = clauses(section, sentence.start, sentence.end)
            figures = [
                f for f in find_figures(section, sentence.start, sentence.end) if f.value is not None and f.unit == "%"
            ]
            for mention in outcomes:
                outcome = self.b.add_concept(mention.concept, quote=_escaped(mention.text))
                judged = stance(sentence.text, mention.text)
                at = sentence.start + mention.start
                clause = next((p for p in parts if p.start <= at < p.end), None)
                # A number belongs to the outcome named in its clause, or — when the sentence names one
                # outcome — to a later clause that continues it ("…in 51% (n = 21), and in 16% (n = 114)").
                # Numbers before the outcome or past a semicolon are about something else ("AEs occurred
                # in 65.3%; hypoglycaemia was the most frequent" gives hypoglycaemia no number).
                mine = [
                    f
                    for f in figures
                    if (clause and clause.start <= f.start < clause.end)
                    or (len(outcomes) == 1 and f.start > at and ";" not in section[at : f.start])
                ]
                for drug in drugs:
                    finding = self.b.add_finding(drug, outcome, None, quote=quote, start=start)
                    if judged is not None:
                        self._stance(judged, finding, quote, start)
                    for fig in mine:
                        self._figure(
                            drug,
                            outcome,
                            mention.concept.name,
                            fig,
                            conditions,
                            sentence.start,
                            section,
                            offset,
                            claim=(quote, start),
                        )
                    if judged is not None:
                        self._stance_in_population(drug, outcome, conditions, sentence.text, judged, quote, start)

    def _population(
        self, conditions: list[Mention], sentence_start: int, at: int, text: str
    ) -> tuple[str | None, str | None]:
        """(condition id, population label) nearest to position ``at``; "without X" has no node."""
        near = min(conditions, key=lambda m: abs(sentence_start + m.start - at), default=None)
        if near is None:
            return None, None
        before = text[max(0, sentence_start + near.start - 12) : sentence_start + near.start].casefold()
        if re.search(r"\b(without|no|non|zonder|geen)\b[\s-]*$", before):
            return None, f"without {near.concept.name}"
        return self.b.add_concept(near.concept, quote=_escaped(near.text)), near.concept.name

    def _stance_in_population(
        self,
        drug: str,
        outcome: str,
        conditions: list[Mention],
        sentence: str,
        judged: EdgeType,
        quote: str,
        start: int | None,
    ) -> None:
        """The same stance towards the claim in each population the sentence names (not "without X")."""
        for mention in conditions:
            before = sentence[max(0, mention.start - 12) : mention.start].casefold()
            if re.search(r"\b(without|no|non|zonder|geen)\b[\s-]*$", before):
                continue
            population = self.b.add_concept(mention.concept, quote=_escaped(mention.text))
            finding = self.b.add_finding(drug, outcome, population, quote=quote, start=start)
            self._stance(judged, finding, quote, start)

    def _stance(self, judged: EdgeType, finding: str, quote: str, start: int | None) -> None:
        """One edge per stance and claim: the first sentence that takes it (usually the results) is quoted."""
        if (judged, finding) not in self.stances:
            self.stances.add((judged, finding))
            self.b.add_edge(judged, self.study, finding, quote=quote, start=start)

    def _figure(
        self,
        drug: str,
        outcome: str,
        outcome_name: str,
        fig: FigureMention,
        conditions: list[Mention],
        sentence_start: int,
        section: str,
        offset: int,
        *,
        claim: tuple[str, int | None],
    ) -> None:
        population_id, population = self._population(conditions, sentence_start, fig.start, section)
        finding = self.b.add_finding(drug, outcome, population_id, quote=claim[0], start=claim[1])
        quote, start = self._quote(section, offset, fig.start, fig.end)
        self.b.add_figure(
            self.study,
            finding,
            label=outcome_name,
            value=fig.value,
            unit=fig.unit,
            numerator=fig.numerator,
            denominator=fig.denominator,
            baseline=fig.baseline,
            population=population,
            population_id=population_id,
            p_value=fig.p_value,
            quote=quote,
            start=start,
        )

    def _quote(self, section: str, offset: int, begin: int, end: int) -> tuple[str, int | None]:
        """``section[begin:end]`` as it stands in the record XML, and where (when the section's place is known)."""
        escaped = _escaped(section[begin:end])
        if offset < 0:
            return escaped, None
        start = offset + len(_escaped(section[:begin]))
        return escaped, start if self.b.text[start : start + len(escaped)] == escaped else None


def _language(article: ET.Element) -> str | None:
    """The article's language as a two-letter code (MEDLINE gives ISO 639-2: ``eng``, ``dut``)."""
    code = (_text(article.find("Language")) or "").lower()
    return _LANGUAGES.get(code, code or None)
