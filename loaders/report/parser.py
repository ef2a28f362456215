"""Reading one report: conclusion, PICO, study tables, "other" studies, guidelines and SPC sections.

Sentences, figures and stances come from :mod:`loaders.text` (``sentences``, ``figures``, ``stance``), shared
with the PubMed loader.
"""

from __future__ import annotations

import itertools
import re

from graph.dose import Dose, find_dose, find_doses
from graph.errors import LoadError
from graph.ids import concept_id, study_id
from graph.model import Document, EdgeType, NodeKind, Scalar
from graph.vocabulary import Mention
from loaders.base import DocumentBuilder
from loaders.report.citations import parse_citation
from loaders.report.format import report_format
from loaders.report.guidelines import GuidelineReader
from loaders.report.layout import (
    LOCATE_MAX,
    Line,
    Section,
    citation_end,
    is_citation_start,
    is_heading,
    lines_of,
    sections_of,
)
from loaders.report.terms import Terms
from loaders.text.figures import FigureMention, find_figures
from loaders.text.language import language
from loaders.text.numbers import find_n
from loaders.text.sentences import Span, clauses, sentences, unwrap
from loaders.text.stance import Judgement, judge

__all__ = ["SOURCE_TYPE", "ReportParser"]

SOURCE_TYPE = "drug-disease report"


class ReportParser(GuidelineReader):
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

    def subblocks(self, lines: list[Line]) -> tuple[tuple[int, int], dict[str, tuple[int, int]], list[int]]:
        """The evidence column span and the sub-block spans (results, remarks) of a row."""
        if not lines:
            return (0, 0), {}, []
        start, end = lines[0].start, lines[-1].end
        marks: list[tuple[int, int, int, str]] = []  # heading start, heading end, pre end, name
        for name, pattern in self.fmt.subblocks:
            for m in pattern.finditer(self.text, start, end):
                marks.append((m.start() + len(m.group("pre")), m.end(), m.start() + len(m.group("pre")), name))
        marks.sort()
        extra: list[int] = []
        blocks: dict[str, tuple[int, int]] = {}
        for n, (a, b, _, name) in enumerate(marks):
            stop = marks[n + 1][0] if n + 1 < len(marks) else end
            if name in blocks:
                extra.append(a)  # a second results block: a row whose citation was not recognised
                continue
            blocks[name] = (b, stop)
        evidence_end = marks[0][0] if marks else end
        bullet = re.search(r"(?m)^\s*•", self.text[start:evidence_end])
        if bullet:
            evidence_end = start + bullet.start()
        return (start, evidence_end), blocks, extra

    # -- studies ---------------------------------------------------------------------------
    def read_study(self, lines: list[Line], *, met_pico: bool) -> None:
        cit_lines, rest = self.split_citation(lines)
        cit = parse_citation(self.text, cit_lines, self.fmt.organisation)
        if cit.year is None:
            self.warn(cit_lines[0].start, "citation without a year")
        (ev_start, ev_end), blocks, extra = self.subblocks(rest)
        for offset in extra:
            self.warn(offset, "study block without a recognisable citation (expected 'Surname AB, ... year'); skipped")
            blocks = {k: (a, min(b, self._row_cut(offset))) for k, (a, b) in blocks.items()}
        evidence = unwrap(self.text[ev_start:ev_end]) if rest else ""
        design = self.design(evidence, ev_start)
        if "results" not in blocks:
            self.warn(cit_lines[0].start, f"study {cit.name!r} has no 'Resultaten' block (truncated?)")
        results = blocks.get("results", (0, 0))
        n = find_n(evidence) or self.enrolled(*results)
        if n is None and design in {"case report", "case series"}:
            n = self.case_count(*results)
        doi = cit.doi
        sid = study_id(doi=doi, first_author=cit.first_author, year=cit.year, title=cit.title or cit.raw)
        title_span = self.locate(cit.title, cit_lines) if cit.title else None
        conditions = self.conditions([title_span] if title_span else [], [results])
        props: dict[str, Scalar] = {
            **cit.props(),
            "design": design,
            "n": n,
            "population": "; ".join(dict.fromkeys(self.b_name(c) for c in conditions)) or None,
            "met_pico": met_pico,
            "results": self.block_text(blocks.get("results")),
            "author_remarks": self.block_text(blocks.get("author_remarks")),
            "reviewer_remarks": self.block_text(blocks.get("reviewer_remarks")),
            "language": language(self.text[results[0] : results[1]]) if results[1] > results[0] else None,
        }
        self.b.add_node(sid, NodeKind.STUDY, cit.name, props, quote=cit.quote, start=cit.start)
        self.link_reporter(sid, conditions)
        population = self.principal_population(title_span, [results])
        spans = [title_span] if title_span else []
        stance_sentences = [
            *spans,
            *self.narrative(blocks.get("results")),
            *self.narrative(blocks.get("author_remarks")),
        ]
        self.stances(sid, stance_sentences, population)
        for block in ("results", "author_remarks"):
            if block in blocks:
                self.figures(sid, self.narrative(blocks[block]), population, context=blocks[block][0])

    def _row_cut(self, offset: int) -> int:
        """Where the previous row ends when the next row's citation was not recognised."""
        lines = lines_of(self.text, 0, offset)
        i = len(lines) - 1
        while i > 0 and (lines[i].blank or len(lines[i].text.strip()) < 40):
            i -= 1  # the evidence column (design, n=) and blank lines
        while i > 0 and not lines[i].blank:
            i -= 1  # the unrecognised citation paragraph
        return lines[i].end if i > 0 else offset

    def b_name(self, node_id: str) -> str:
        return next(n.name for n in self.b.nodes if n.id == node_id)

    def design(self, evidence: str, offset: int) -> str | None:
        rest = self.fmt.status.sub(" ", re.sub(r"\b[nN]\s*=\s*\d+", " ", evidence)).strip(" .,;")
        if not rest:
            return None
        for pattern, design in self.fmt.designs:
            if pattern.search(rest):
                return design
        self.warn(offset, f"unknown study design {rest[:60]!r}; kept as written")
        return rest[:120]

    def enrolled(self, start: int, end: int) -> int | None:
        """A sample size stated as "242 kinderen ... werden geïncludeerd" (first results sentence)."""
        if end <= start:
            return None
        for s in sentences(self.text, start, end)[:3]:
            if re.search(
                r"geïncludeerd|geincludeerd|included|enrolled|deden mee|namen deel|participated|randomi", s.text
            ):
                counts = [f for f in find_figures(self.text, s.start, s.end) if f.kind == "count"]
                if counts:
                    return counts[0].numerator
        return None

    def case_count(self, start: int, end: int) -> int | None:
        """Patients a case report states in words ("Een broer en zus" → 2, "Een 7-jarig meisje" → 1)."""
        if end <= start:
            return None
        for s in sentences(self.text, start, end)[:2]:
            text = re.sub(r"^[\s•o-]+", "", s.text)
            for pattern, n in self.fmt.case_counts:
                if pattern.search(text):
                    return n
        return None

    def risk_factor(self, mention: Mention, sentence: Span) -> bool:
        """True when the mention names a patient characteristic, not an effect ("Patiënten met een HbA1c > …")."""
        return any(a <= mention.start < b for a, b in self.factor_spans(sentence))

    def factor_spans(self, sentence: Span) -> list[tuple[int, int]]:
        """The risk-factor phrases of a sentence, found once per sentence (a run-away line has thousands of mentions)."""
        key = (sentence.start, sentence.end)
        if key not in self._factors:
            self._factors[key] = [
                (m.start("factor"), m.end("factor"))
                for pattern in self.fmt.risk_factors
                for m in itertools.islice(pattern.finditer(self.text, sentence.start, sentence.end), 1_000)
            ]
        return self._factors[key]

    def block_text(self, span: tuple[int, int] | None) -> str | None:
        """A sub-block as one line per bullet ("• ...", sub-bullets "  o ...")."""
        if not span:
            return None
        body = self.text[span[0] : span[1]]
        items = re.split(r"(?m)^[ \t]*(?=[•o][ \t])", body)
        out = []
        for item in items:
            line = unwrap(item)
            if not line:
                continue
            out.append(("  " if line.startswith("o ") else "") + line)
        return "\n".join(out) or None

    def locate(self, phrase: str, lines: list[Line]) -> Span | None:
        """The verbatim span of an unwrapped phrase inside wrapped lines."""
        if not lines or len(phrase) > LOCATE_MAX:
            return None
        parts = []
        for ch in phrase:
            if ch == " ":
                parts.append(r"\s+")
            elif ch in "-–":
                parts.append(re.escape(ch) + r"\s*")
            else:
                parts.append(re.escape(ch))
        m = re.compile("".join(parts)).search(self.text, lines[0].start, lines[-1].end)
        return Span(m.start(), m.end(), m.group(0)) if m else None

    def conditions(self, spans: list[Span], blocks: list[tuple[int, int]]) -> list[str]:
        ids = []
        for a, b in [(s.start, s.end) for s in spans] + blocks:
            if b > a:
                ids += [self.concept_at(m) for m in self.mentions(a, b, NodeKind.CONDITION)]
        return list(dict.fromkeys(ids))

    def principal_population(self, title: Span | None, blocks: list[tuple[int, int]]) -> str | None:
        """The condition a study is about: the first one its title names without "without"."""
        if title:
            found = self.mentions(title.start, title.end, NodeKind.CONDITION)
            if found:
                return None if self.negated(found[0].start) else self.concept_at(found[0])
        for a, b in blocks:
            found = self.mentions(a, b, NodeKind.CONDITION) if b > a else []
            negated = {m.concept.id for m in found if self.negated(m.start)}
            clean = [m for m in found if m.concept.id not in negated]
            if clean:
                return self.concept_at(clean[0])
        return None

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

    # -- stances and figures ---------------------------------------------------------------
    def finding(self, outcome: Mention, population: str | None, dose: Dose | None = None) -> str:
        return self.b.add_finding(self.drug, self.concept_at(outcome), population, dose=dose)

    def sentence_dose(self, sentence: Span) -> Dose | None:
        """The one dose a sentence states ("in studies met hogere doseringen"): its claims are at that dose.

        A sentence stating several doses ("3/60 (verlaagde dosis) en 4/60 (volledige dosis)") compares
        them: its claim is the one without a dose, and each figure keeps its own group's dose.
        """
        doses = {d.key(): d for d in find_doses(sentence.text)}
        return next(iter(doses.values())) if len(doses) == 1 else None

    def stances(self, reporter: str, spans: list[Span], population: str | None, *, listed: bool = False) -> None:
        """Stances of ``spans`` towards the outcomes they name; ``listed``: a label's list of undesirable
        effects, where naming an effect reports it ("Vaak: smaakstoornis")."""
        for s in spans:
            if self.fmt.aim.search(s.text):
                continue  # what a study set out to measure is not what it found: no stance
            judged: dict[str, Judgement] = {}  # judge() reads a term's first place in the sentence: once per term
            for m in self.mentions(s.start, s.end, NodeKind.OUTCOME):
                if self.risk_factor(m, s):
                    continue  # a patient characteristic, not an effect
                key = m.text.casefold()
                if key not in judged:
                    judged[key] = judge(s.text, m.text)
                judgement = judged[key]
                if judgement.stance is None and listed and judgement.reason != "hedged":
                    judgement = Judgement(EdgeType.SUPPORTS, "listed", "an undesirable effect in the label")
                if judgement.stance is None:
                    continue
                fid = self.finding(m, population, self.sentence_dose(s))
                if (reporter, fid) in self.stance_edges:
                    continue
                self.stance_edges.add((reporter, fid))
                note = (
                    f"{judgement.reason}: {judgement.cue}"
                    if judgement.reason in {"negated", "corrected", "listed"}
                    else None
                )
                self.b.add_edge(judgement.stance, reporter, fid, quote=s.text, start=s.start, props={"note": note})

    def figures(self, reporter: str, spans: list[Span], population: str | None, *, context: int) -> None:
        for s in spans:
            outcomes = [m for m in self.mentions(s.start, s.end, NodeKind.OUTCOME) if not self.risk_factor(m, s)]
            parts = clauses(self.text, s.start, s.end)
            for fig in find_figures(self.text, s.start, s.end, context_start=context):
                clause = next((c for c in parts if c.start <= fig.start < c.end), s)
                outcome = _nearest(outcomes, fig, clause)
                if fig.kind == "count" and not any(
                    clause.start <= m.start < clause.end and m.start > fig.end for m in outcomes
                ):
                    continue  # a head count ("242 kinderen"), not a number of events
                if fig.kind == "level":
                    continue  # a lab value on its own; kept only as a change's baseline
                if self.frequency_band(fig, s):
                    continue  # "≥1/10" is a label's frequency band, read by frequency_bands()
                band = None
                if fig.kind == "percentage" and fig.denominator is None:
                    self.warn(fig.start, f"{fig.text!r} has no denominator (no n= nearby); kept without one")
                group, group_id = self.group(fig, clause)
                arm = self.arm(fig) if group is None else None
                if arm is not None:
                    group = f"{arm} (n={fig.denominator})" if fig.denominator is not None else arm
                dose = find_dose(arm) if arm else None
                # the dose stated next to the number, within its clause (bounded: a run-away line stays cheap)
                window = self.text[max(clause.start, fig.start - 160) : min(clause.end, fig.end + 160)]
                dose = dose or find_dose(window)
                fid = self.finding(outcome, population, self.sentence_dose(s)) if outcome else None
                counted = band is None
                self.b.add_figure(
                    reporter,
                    fid,
                    label=unwrap(clause.text[:2_000])[:200],  # not the whole of a run-away line per figure
                    value=fig.value if counted else None,
                    unit=fig.unit if counted else None,
                    numerator=fig.numerator if counted else None,
                    denominator=fig.denominator if counted else None,
                    population=group,
                    population_id=group_id,
                    baseline=fig.baseline,
                    p_value=fig.p_value,
                    category=band,
                    quote=s.text,
                    start=s.start,
                    # two numbers without a value in one claim ("3/60 … 4/60") must stay two figures
                    key=f"{fid or clause.text[:200]}|{fig.numerator}/{fig.denominator}|{band}"
                    if fig.value is None or not counted
                    else None,
                    **(dose.props() if dose else {}),
                )

    def arm(self, fig: FigureMention) -> str | None:
        """The arm a count names right after it: "3/60 (verlaagde dosis)", "19/148 (full dose)",
        "13 of 130 patients (10%) with impaired renal function"."""
        if fig.kind not in {"proportion", "count_percentage"}:
            return None
        after = self.text[fig.end : fig.end + 120]
        m = re.match(r"\s*\(\s*(?P<arm>[^\W\d][^()%=]{1,60}?)\s*\)", after) or _WITH_GROUP.match(after)
        return unwrap(m.group("arm")) if m else None

    def frequency_band(self, fig: FigureMention, sentence: Span) -> bool:
        """True for the bound of a frequency band ("≥1/10", "< 1/1000"): a category, not a count of patients."""
        return bool(re.search(r"[<>≤≥]\s*$", self.text[max(sentence.start, fig.start - 5) : fig.start]))

    def group(self, fig: FigureMention, clause: Span) -> tuple[str | None, str | None]:
        """The group a percentage's "(n=21)" names: "niet-behandelde Laronsyndroomgroep (n=21)"."""
        if not fig.denominator_from:
            return None, None
        if fig.end <= fig.denominator_from[0]:  # "14% of 1200 patients (lithium)": named after its size
            return self.group_after(fig)
        a = clause.start if clause.start <= fig.denominator_from[0] else fig.denominator_from[0]
        phrase = self.text[a : fig.denominator_from[0]]
        phrase = re.sub(r"^\W*(?:(?:in|bij|of|van|onder|among|de|het|the|een|a)\s+)+", "", unwrap(phrase), flags=re.I)
        phrase = phrase.rstrip(" (")
        found = [m for m in self.mentions(a, fig.denominator_from[0], NodeKind.CONDITION) if not self.negated(m.start)]
        group_id = self.concept_at(found[0]) if found else None
        label = f"{phrase} (n={fig.denominator})" if phrase else f"n={fig.denominator}"
        return label, group_id

    def group_after(self, fig: FigureMention) -> tuple[str | None, str | None]:
        """The group a percentage names after its denominator: its arm in parentheses, else its words."""
        start = fig.denominator_from[1] if fig.denominator_from else fig.end
        m = _GROUP_AFTER.match(self.text, start, min(len(self.text), start + 160))
        name = unwrap(m.group("arm") or m.group("name") or "").strip() if m else ""
        end = m.end() if m else start
        found = [c for c in self.mentions(start, end, NodeKind.CONDITION) if not self.negated(c.start)]
        group_id = self.concept_at(found[0]) if found else None
        return (f"{name} (n={fig.denominator})" if name else f"n={fig.denominator}"), group_id

    # -- guidelines and labels -------------------------------------------------------------


#: "… (10%) with impaired renal function", "… (12%) met een normale nierfunctie": a group named after its count.
_WITH_GROUP = re.compile(
    r"(?:\s*\(\s*\d[\d.,]*\s*%\s*\))?\s+(?P<arm>(?:with|without|met|zonder)\s+[^\W\d][^,.;:()%=\d]{2,60}?)"
    r"(?=\s*(?:[,.;:)]|\band\b|\ben\b|$))",
    re.IGNORECASE,
)


#: What follows a denominator: "patients (lithium)", "patiënten met Laronsyndroom".
_GROUP_AFTER = re.compile(
    r"\s*(?P<name>[^\W\d][\w-]*(?:\s+(?:met|with|op|on|zonder|without)\s+[^\W\d][\w-]*)?)?\s*(?:\(\s*(?P<arm>[^\W\d][^()%=]{0,60}?)\s*\))?(?=[\s,.;:]|$)"
)


def _nearest(outcomes: list[Mention], fig: FigureMention, clause: Span) -> Mention | None:
    """The outcome a number is about: in its clause (before it, else after), else in its sentence."""
    in_clause = [m for m in outcomes if clause.start <= m.start < clause.end]
    for pool in (in_clause, outcomes):
        inside = [m for m in pool if fig.start <= m.start < fig.end]  # "steeg het HbA1c naar 5,7%"
        if inside:
            return inside[0]
        before = [m for m in pool if m.end <= fig.start]
        if before:
            return before[-1]
        after = [m for m in pool if m.start >= fig.end]
        if after:
            return after[0]
    return None
