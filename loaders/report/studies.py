"""Study rows of a report's tables: citation, design and size, result blocks, populations.

A row is a citation, then the evidence column (design, "n=…") and sub-blocks (results, the
authors' and the reviewers' remarks).  Mixed into the report parser, whose helpers (mentions,
concepts, stances, figures) these methods use.
"""

from __future__ import annotations

import re

from graph.ids import study_id
from graph.model import NodeKind, Scalar
from loaders.report.citations import parse_citation
from loaders.report.layout import LOCATE_MAX, Line, lines_of
from loaders.text.figures import find_figures
from loaders.text.language import language
from loaders.text.numbers import find_n
from loaders.text.sentences import Span, sentences, unwrap

__all__ = ["StudyReader"]


class StudyReader:
    """Reading study rows (a mixin of :class:`~loaders.report.parser.ReportParser`)."""

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
