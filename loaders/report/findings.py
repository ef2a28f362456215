"""What a report's sentences say about outcomes: stances, and figures with their groups and doses.

A stance is an edge from the study (or guideline, label) to a finding (drug → outcome, in a
population, at a dose); a figure is a number the sentence states, attached to the finding
its nearest outcome names.  Mixed into the report parser, whose helpers these methods use.
"""

from __future__ import annotations

import itertools
import re

from graph.dose import Dose, find_dose, find_doses
from graph.model import EdgeType, NodeKind
from graph.vocabulary import Mention
from loaders.text.figures import FigureMention, find_figures
from loaders.text.sentences import Span, clauses, unwrap
from loaders.text.stance import Judgement, judge

__all__ = ["FindingReader"]


class FindingReader:
    """Reading stances and figures from sentences (a mixin of :class:`~loaders.report.parser.ReportParser`)."""

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
