"""Guidelines and product labels in a report: recommendations with their strength, SPC sections.

A guideline row (authors or an organisation) RECOMMENDS its recommendation sentence, with
the strength in parentheses; its other sentences are stances and figures.  A label (SPC) is
read by section number: 4.2 and 4.4–4.7 are advice, 4.3 lines are contra-indications (claims
drug → condition), 4.8 lists effects with frequency bands.  Mixed into the report parser,
whose helpers (mentions, stances, figures) these methods use.
"""

from __future__ import annotations

import re

from graph.ids import concept_id, study_id
from graph.model import EdgeType, NodeKind, Scalar
from loaders.report.citations import parse_citation
from loaders.report.layout import SECTION_NO, YEAR, Line, citation_end, lines_of, trim
from loaders.text.sentences import Span, sentences, unwrap

__all__ = ["GuidelineReader"]


class GuidelineReader:
    """Reading guideline and label rows (a mixin of :class:`~loaders.report.parser.ReportParser`)."""

    def read_guideline(self, lines: list[Line]) -> None:
        cit_lines, rest = self.split_citation(lines)
        cit = parse_citation(self.text, cit_lines, self.fmt.organisation)
        body_start = rest[0].start if rest else cit_lines[-1].end
        body_end = lines[-1].end
        status = self.fmt.status.search(self.text, body_start, body_end)
        if status and not self.text[body_start : status.start()].strip():
            body_start = status.end()
        strength = self.fmt.strength.search(self.text, body_start, body_end)
        body_sentences = sentences(self.text, body_start, body_end)
        rec = next((s for s in body_sentences if self.fmt.recommendation.search(s.text)), None)
        section = None
        if rec:
            m = re.match(r"(\d+(?:\.\d+)*)\.?\s+", rec.text)
            if m:
                section = m.group(1)
                rec = Span(rec.start + m.end(), rec.end, rec.text[m.end() :])
        gid = study_id(
            doi=cit.doi, first_author=cit.first_author, year=cit.year, title=cit.title, kind=NodeKind.GUIDELINE
        )
        props: dict[str, Scalar] = {
            **cit.props(),
            "strength": strength.group("strength") if strength else None,
            "quality": strength.group("quality") if strength else None,
            "text": unwrap(rec.text) if rec else unwrap(self.text[body_start:body_end])[:2000] or None,
            "section": section,
            "issuer": cit.organisation,
            "guideline_type": "guideline",
        }
        self.b.add_node(gid, NodeKind.GUIDELINE, cit.name, props, quote=cit.quote, start=cit.start)
        self.link_reporter(gid, [])
        if rec:
            self.b.add_edge(
                EdgeType.RECOMMENDS, gid, self.drug, quote=rec.text, start=rec.start,
                props={"strength": props["strength"], "text": props["text"]},
            )  # fmt: skip
        else:
            self.warn(body_start, f"guideline {cit.name!r}: no recommendation sentence found")
        rest_sentences = []
        for s in body_sentences:
            if rec and s.start <= rec.start < s.end:
                continue
            if strength and s.start <= strength.start() < s.end:
                cut = strength.end()
                s = Span(cut, s.end, self.text[cut : s.end])
                s = Span(s.start + len(s.text) - len(s.text.lstrip()), s.end, s.text.lstrip())
            if s.text:
                rest_sentences.append(s)
        self.stances(gid, rest_sentences, None)
        self.figures(gid, rest_sentences, None, context=body_start)

    def read_label(self, lines: list[Line]) -> None:
        cit_end = citation_end(lines, 0, self.fmt)
        cit_lines, rest = lines[:cit_end], lines[cit_end:]
        raw = unwrap("\n".join(ln.text for ln in cit_lines))
        m = self.fmt.label_citation.match(raw)
        product = m.group("product") if m else raw.split()[0]
        label_kind = m.group("label") if m else "SPC"
        title = re.split(r"\.\s", raw, maxsplit=1)[0].replace(" ®", "®").strip(" .")
        date = re.search(r"\b(\d{1,2})[/-](\d{1,2})[/-]((?:19|20)\d{2})\b", raw)
        year_m = date or YEAR.search(raw)
        year = int(date.group(3)) if date else (int(year_m.group(0)) if year_m else None)
        issuer = next((i for i in self.fmt.label_issuers if re.search(rf"\b{i}\b", raw)), None)
        name = f"{label_kind} {product}"
        gid = study_id(first_author=name, year=year, title=title, kind=NodeKind.GUIDELINE)
        body = (rest[0].start, lines[-1].end) if rest else (cit_lines[-1].end, cit_lines[-1].end)
        numbered = [
            (ln, sm)
            for ln in lines_of(self.text, *body)
            if (sm := SECTION_NO.match(ln.text)) and sm.group(1) in self.fmt.label_sections
        ]
        quote = "\n".join(ln.text for ln in cit_lines).strip()
        props: dict[str, Scalar] = {
            "title": title,
            "year": year,
            "issuer": issuer,
            "guideline_type": "label",
            "section": "; ".join(sm.group(1) for _, sm in numbered) or None,
            "text": unwrap(self.text[body[0] : body[1]])[:4000] or None,
        }
        self.b.add_node(
            gid, NodeKind.GUIDELINE, f"{name} {year}" if year else name, props, quote=quote, start=cit_lines[0].start
        )
        self.link_reporter(gid, [])
        advice: dict[str, list[tuple[str, Span]]] = {}
        for n, (ln, sm) in enumerate(numbered):
            stop = numbered[n + 1][0].start if n + 1 < len(numbered) else body[1]
            span = trim(self.text, ln.end, stop)
            if span is None:
                continue
            role = self.fmt.label_sections[sm.group(1)]
            if role == "contraindication":
                self.contraindications(gid, span, f"{sm.group(1)} {role}")
            elif role in {"adverse effects", "overdose"}:
                section_sentences = self.narrative((span.start, span.end))
                self.stances(gid, section_sentences, None, listed=role == "adverse effects")
                self.figures(gid, section_sentences, None, context=span.start)
                self.frequency_bands(gid, section_sentences)
            else:
                target = self.drug if role in {"dosing", "indication"} or not self.topic else self.topic
                advice.setdefault(target, []).append((f"{sm.group(1)} {role}", span))
        for target, items in advice.items():
            first = items[0][1]
            text = " | ".join(f"{label}: {unwrap(span.text)}" for label, span in items)
            self.b.add_edge(EdgeType.RECOMMENDS, gid, target, quote=first.text, start=first.start, props={"text": text})

    def contraindications(self, label_id: str, span: Span, heading: str) -> None:
        """Each line of SPC 4.3 is a condition the drug must not be used in: a claim drug → condition.

        "Ernstig nierfalen (GFR < 30 ml/min)" is about renal failure, not about the report's
        outcome; the label RECOMMENDS (against) the drug in that condition.
        """
        for line in lines_of(self.text, span.start, span.end):
            item = trim(self.text, line.start, line.end)
            if item is None:
                continue
            found = [m for m in self.mentions(item.start, item.end, NodeKind.CONDITION) if not self.negated(m.start)]
            if found:
                condition = self.concept_at(found[0])
            else:
                name = re.split(r"\s*[(.;:]", unwrap(item.text.lstrip("•-o ")), maxsplit=1)[0].strip()
                if len(name) < 3:
                    continue
                condition = self.b.add_node(
                    concept_id(NodeKind.CONDITION, name),
                    NodeKind.CONDITION,
                    name,
                    quote=name if name in self.text else None,
                )
            statement = f"contra-indication: {unwrap(item.text)}"
            fid = self.b.add_finding(
                self.drug, condition, None, statement=statement[:500], quote=item.text, start=item.start
            )
            self.b.add_edge(
                EdgeType.RECOMMENDS,
                label_id,
                fid,
                quote=item.text,
                start=item.start,
                props={"text": f"{heading}: {unwrap(item.text)}"[:2000], "note": "contra-indication"},
            )

    def frequency_bands(self, reporter: str, spans: list[Span]) -> None:
        """A label's frequency bands ("Zeer zelden (< 1/10.000): melkzuuracidose") as figures of their effect."""
        for s in spans:
            outcomes = [m for m in self.mentions(s.start, s.end, NodeKind.OUTCOME) if not self.negated(m.start)]
            for band in self.fmt.frequency_band.finditer(self.text, s.start, s.end):
                if not outcomes:
                    break
                outcome = min(outcomes, key=lambda m: abs(m.start - band.start()))
                label = unwrap(band.group(0)).strip()
                fid = self.finding(outcome, None)
                self.b.add_figure(
                    reporter,
                    fid,
                    label=label,
                    value=None,
                    category=label,
                    quote=s.text,
                    start=s.start,
                    key=f"{fid}|band|{label}",
                )
