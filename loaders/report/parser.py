"""Reading one report: conclusion, PICO, and the tables of studies, guidelines and SPC sections.

:class:`ReportParser` reads the report as a whole and splits its tables into rows; the rows
are read by its mixins — :mod:`~loaders.report.studies` (study rows),
:mod:`~loaders.report.guidelines` (guideline and label rows) — and what their sentences say
by :mod:`~loaders.report.findings` (stances and figures).  Sentences, figures and stances
come from :mod:`loaders.text`, shared with the PubMed loader.
"""

from __future__ import annotations

import re

from graph.errors import LoadError
from graph.ids import concept_id
from graph.model import Document, EdgeType, NodeKind
from graph.vocabulary import Mention
from loaders.base import DocumentBuilder
from loaders.report.findings import FindingReader
from loaders.report.format import report_format
from loaders.report.guidelines import GuidelineReader
from loaders.report.layout import Line, Section, citation_end, is_citation_start, is_heading, lines_of, sections_of
from loaders.report.studies import StudyReader
from loaders.report.terms import Terms
from loaders.text.language import language
from loaders.text.sentences import Span, sentences, unwrap

__all__ = ["SOURCE_TYPE", "ReportParser"]

SOURCE_TYPE = "drug-disease report"


class ReportParser(StudyReader, GuidelineReader, FindingReader):
    """One report's text read into a Document: :meth:`parse` reads it whole, the mixins read its rows."""

    def __init__(self, text: str, path: str, vocabulary: Terms, warnings: list[str]) -> None:
        self.text = text
        self.path = path
        self.vocab = vocabulary
        self.fmt = report_format()
        self.pre_warnings = warnings
        self.stance_edges: set[tuple[str, str]] = set()
        self._factors: dict[tuple[int, int], list[tuple[int, int]]] = {}
        self.added: set[str] = set()

    # -- helpers ---------------------------------------------------------------------------
    def line_of(self, offset: int) -> int:
        return self.text.count("\n", 0, max(offset, 0)) + 1

    def warn(self, offset: int, message: str) -> None:
        self.b.warn(f"line {self.line_of(offset)}: {message}")

    def mentions(self, start: int, end: int, kind: NodeKind) -> list[Mention]:
        return [
            Mention(m.concept, m.start + start, m.end + start, m.text)
            for m in self.vocab.mentions(self.text[start:end], kind)
        ]

    def concept_at(self, mention: Mention) -> str:
        """The concept's node id; the node is added once, with its first mention as provenance."""
        if mention.concept.id not in self.added:
            self.added.add(mention.concept.id)
            self.b.add_concept(mention.concept, quote=mention.text, start=mention.start)
        return mention.concept.id

    def negated(self, offset: int) -> bool:
        before = self.text[max(0, offset - 25) : offset]
        return bool(re.search(r"\b(?:zonder|without|geen|no|niet)\s+(?:\w+\s+){0,2}$", before, re.I))

    # -- the whole report ------------------------------------------------------------------
    def parse(self) -> Document:
        sections = sections_of(self.text, self.fmt)
        kinds = {s.kind for s in sections}
        if not kinds & {"conclusion", "pico", "studies"}:
            raise LoadError(
                "not a drug–disease report: expected a 'CONCLUSIE' heading, a 'PICO' block or a "
                "'Bron … Resultaten/ opmerkingen' study table",
                path=self.path,
                line=1,
            )
        by_kind: dict[str, list[Section]] = {}
        for s in sections:
            by_kind.setdefault(s.kind, []).append(s)
        pico = self.read_pico(by_kind.get("pico", []))
        advice, advice_span, conclusion = self.read_conclusion(by_kind.get("conclusion", []))
        self.b = DocumentBuilder(
            text=self.text,
            source_type=SOURCE_TYPE,
            title="drug–disease report",
            path=self.path,
            vocabulary=self.vocab,  # type: ignore[arg-type]  # any lookup()/mentions() vocabulary
        )
        self.b.warnings.extend(self.pre_warnings)
        if not by_kind.get("conclusion"):
            self.b.warn("line 1: no 'CONCLUSIE' section; the report's advice is unknown")
        elif advice is None:
            self.warn(by_kind["conclusion"][0].start, "the conclusion does not start with a known advice")
        self.drug = self.pick_concept(pico, "intervention", NodeKind.DRUG, sections)
        self.condition = self.pick_concept(pico, "population", NodeKind.CONDITION, sections)
        outcome = None
        if "outcome" in pico:
            found = self.mentions(*pico["outcome"], NodeKind.OUTCOME)
            outcome = self.concept_at(found[0]) if found else None
        self.topic = self.b.add_finding(self.drug, outcome, self.condition) if outcome else None
        recommend_target = self.topic or self.drug
        if advice and advice_span:
            quote = self.text[advice_span[0] : advice_span[1]]
            self.b.add_edge(
                EdgeType.RECOMMENDS, self.b.source_doc, recommend_target, quote=quote, start=advice_span[0],
                props={"text": advice},
            )  # fmt: skip
        for section in sections:
            if section.kind in {"studies", "other", "guidelines", "labels"}:
                self.read_table(section)
        names = {n.id: n.name for n in self.b.nodes}
        drug_name, condition_name = names.get(self.drug), names.get(self.condition) if self.condition else None
        self.b.title = f"{drug_name} – {condition_name}" if condition_name else f"{drug_name}"
        self.b.source_props = {
            "advice": advice,
            "drug": drug_name,
            "condition": condition_name,
            **{f"pico_{k}": unwrap(self.text[a:b]) for k, (a, b) in pico.items()},
            "review_period": self.review_period(),
            "language": language(conclusion or self.text[:4000]),
            "conclusion": conclusion,
            "search_terms": self.section_text(by_kind.get("search", [])),
            "abbreviations": self.section_text(by_kind.get("abbreviations", []), sep="; "),
        }
        return self.b.build()

    def section_text(self, sections: list[Section], sep: str = " ") -> str | None:
        if not sections:
            return None
        lines = [ln.text.strip() for ln in lines_of(self.text, sections[0].start, sections[0].end) if not ln.blank]
        return sep.join(lines) or None

    def read_conclusion(self, sections: list[Section]) -> tuple[str | None, tuple[int, int] | None, str | None]:
        if not sections:
            return None, None, None
        s = sections[0]
        body = self.text[s.start : s.end]
        for phrase, advice in self.fmt.advice:
            m = re.match(rf"\s*({re.escape(phrase)})\b", body, re.I)
            if m:
                return advice, (s.start + m.start(1), s.start + m.end(1)), unwrap(body) or None
        return None, None, unwrap(body) or None

    def read_pico(self, sections: list[Section]) -> dict[str, tuple[int, int]]:
        """PICO fields as spans; a field runs on until the next label or two blank lines."""
        if not sections:
            return {}
        s = sections[0]
        lines = lines_of(self.text, s.start, s.end)
        spans: dict[str, tuple[int, int]] = {}
        current: str | None = None
        blanks = 0
        for line in lines:
            label = next(((k, m) for k, p in self.fmt.pico if (m := p.match(line.text))), None)
            if label:
                current, m = label[0], label[1]
                spans[current] = (line.start + m.end(), line.end)
                blanks = 0
                continue
            if current is None:
                continue
            if line.blank:
                blanks += 1
                if blanks >= 2:
                    current = None
                continue
            blanks = 0
            spans[current] = (spans[current][0], line.end)
        return {k: (a, b) for k, (a, b) in spans.items() if self.text[a:b].strip()}

    def pick_concept(
        self, pico: dict[str, tuple[int, int]], field_name: str, kind: NodeKind, sections: list[Section]
    ) -> str:
        span = pico.get(field_name)
        if span:
            found = [m for m in self.mentions(*span, kind) if not self.negated(m.start)]
            if found:
                return self.concept_at(found[0])
        for s in sections:  # no PICO field: the first mention in the conclusion, then anywhere
            if s.kind == "conclusion":
                found = [m for m in self.mentions(s.start, s.end, kind) if not self.negated(m.start)]
                if found:
                    return self.concept_at(found[0])
        if span:
            raw = unwrap(self.text[span[0] : span[1]]).rstrip("*. ")
            self.warn(span[0], f"{kind} {raw!r} is not in the vocabulary; kept under its own name")
            node_id = concept_id(kind, raw)
            return self.b.add_node(node_id, kind, raw, quote=raw if raw in self.text else None)
        where = next((s.heading.start for s in sections if s.kind == "pico"), 0)
        raise LoadError(
            f"cannot tell the report's {kind.value.lower()}: expected it in the PICO block "
            f"({'I(ntervention)' if kind is NodeKind.DRUG else 'P(atient)'} line) or named in the conclusion",
            path=self.path,
            line=self.line_of(where),
            field=f"pico_{field_name}",
        )

    def review_period(self) -> str | None:
        for pattern in self.fmt.review_period:
            m = pattern.search(self.text)
            if m:
                start, end = m.group(1), m.group(2) if m.lastindex and m.lastindex >= 2 else None
                return f"{start}–{end}" if end else f"from {start}"
        return None

    # -- tables ----------------------------------------------------------------------------
    def read_table(self, section: Section) -> None:
        lines = lines_of(self.text, section.start, section.end)
        header = next((i for i, ln in enumerate(lines) if self.fmt.table_header.match(ln.text)), -1)
        lines = lines[header + 1 :]
        starts: list[int] = []
        i = 0
        while i < len(lines):
            if is_citation_start(lines, i, self.fmt, section.kind):
                starts.append(i)
                i = citation_end(lines, i, self.fmt)  # later author lines belong to this citation
            else:
                i += 1
        first = starts[0] if starts else len(lines)
        self.check_orphans(lines[:first], section.kind)
        for n, i in enumerate(starts):
            row_lines = lines[i : starts[n + 1] if n + 1 < len(starts) else len(lines)]
            try:
                if section.kind == "labels":
                    self.read_label(row_lines)
                elif section.kind == "guidelines":
                    self.read_guideline(row_lines)
                else:
                    self.read_study(row_lines, met_pico=section.kind == "studies")
            except LoadError:
                raise
            except ValueError as exc:  # a record the model refuses: keep the rest of the report
                self.warn(row_lines[0].start, f"row skipped: {exc}")

    def check_orphans(self, lines: list[Line], kind: str) -> None:
        """Text before the first citation that holds a results block is a row we cannot identify."""
        body = [ln for ln in lines if not ln.blank]
        if not body:
            return
        results = self.fmt.subblocks[0][1]
        if len(body) >= 2 or any(results.match(ln.text) for ln in body):
            self.warn(
                body[0].start,
                f"{'guideline' if kind == 'guidelines' else 'study'} block without a recognisable citation "
                "(expected 'Surname AB, ... year'); skipped",
            )

    def split_citation(self, lines: list[Line]) -> tuple[list[Line], list[Line]]:
        end = citation_end(lines, 0, self.fmt)
        return lines[:end], lines[end:]

    # -- shared by the rows ------------------------------------------------------------------
    def link_reporter(self, node_id: str, conditions: list[str]) -> None:
        self.b.add_edge(EdgeType.CITES, self.b.source_doc, node_id)
        if self.b.nodes and any(n.id == node_id and n.kind is NodeKind.STUDY for n in self.b.nodes):
            self.b.add_edge(EdgeType.STUDIES, node_id, self.drug)
        for c in conditions:
            self.b.add_edge(EdgeType.STUDIED_IN, node_id, c)

    def narrative(self, span: tuple[int, int] | None) -> list[Span]:
        """Sentences of a block, leaving out a case's presentation before treatment started."""
        if not span:
            return []
        out, baseline = [], False
        for s in sentences(self.text, *span):
            if self.fmt.treatment.search(s.text):
                baseline = False
            elif self.fmt.baseline.search(s.text):
                baseline = True
            if not baseline and not is_heading(s.text):
                out.append(s)
        return out
