"""Synthetic documents in the formats the loaders read, for loader throughput.

* Dutch drug–disease reports: the bundled sample report (``shb_mecasermine_diabetes.txt``)
  is the template — the same sections, study table, guideline and SPC blocks — with the
  drug, the patient group, the first outcome, the cited studies (authors, years, DOIs)
  and the numbers varied, so each report is a different document with the real layout.
* ClinicalTrials.gov API v2 JSON pages (``{"studies": [...]}``) with arms, interventions,
  conditions, outcomes and adverse-event results.
* PubMed XML (``PubmedArticleSet``) with structured abstracts that report percentages.

Names come from the shipped vocabulary, so the loaders resolve them to concepts.
"""

from __future__ import annotations

import json
import random
import re
from importlib import resources
from pathlib import Path
from xml.sax.saxutils import escape

from graph.model import NodeKind
from graph.vocabulary import Vocabulary

__all__ = ["ctgov_page", "pubmed_set", "report_text", "write_corpus"]

# Study first authors in the sample and where they are cited; each report renames them.
_SAMPLE_AUTHORS = ("Ekström", "Mohamed-Ali", "Khwaja", "Bang", "Latrech", "Grimberg")
# The DOIs of the sample as laid out in its table (some are broken over two lines).
_SAMPLE_DOIS = (
    "doi:10.1210/jc.2015-2070",
    "doi:10.1073/pnas.1311141\n111",
    "doi:10.1530/EJE-20-0325",
    "doi:10.1016/j.ghir.2021.10\n1419",
    "doi:10.1159/000339158",
    "doi:10.1159/000452150",
)
_SURNAMES = (
    "Jansen",
    "de Vries",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "Mulder",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "Dekker",
    "Brouwer",
    "Verhoeven",
    "Kok",
    "Janssen",
)


def _sample_report() -> str:
    return resources.files("loaders").joinpath("samples/shb_mecasermine_diabetes.txt").read_text(encoding="utf-8")


def _names(kind: NodeKind) -> list[tuple[str, list[str]]]:
    return [(c.name, list(c.synonyms)) for c in Vocabulary.default().concepts if c.kind is kind]


def _dutch(name: str, synonyms: list[str]) -> str:
    """A Dutch-looking synonym where the vocabulary has one (metformine, insuline), else the name."""
    for s in synonyms:
        if s.lower().endswith(("ine", "on", "ide", "ie")) and " " not in s and s[:1].islower():
            return s
    return name


def report_text(index: int, *, seed: int = 7) -> str:
    """The ``index``-th synthetic report: the sample's layout, a different drug, group, studies and numbers."""
    rng = random.Random(seed * 1_000_003 + index)
    text = _sample_report()
    drug, drug_syn = rng.choice([d for d in _names(NodeKind.DRUG) if d[0] != "mecasermin"])
    word = _dutch(drug, drug_syn)
    text = re.sub(r"[Mm]ecasermine", lambda m: word.capitalize() if m.group()[0] == "M" else word, text)
    condition, _ = rng.choice(_names(NodeKind.CONDITION))
    text = text.replace("P(atient) Patiënt met diabetes", f"P(atient) Patiënt met {condition}")
    outcome, out_syn = rng.choice(_names(NodeKind.OUTCOME))
    term = _dutch(outcome, out_syn)
    text = text.replace("O(utcome) Ontregeling diabetes mellitus", f"O(utcome) {term.capitalize()}, ontregeling")
    # Studies: new first authors, years and DOIs (so each report cites its own studies).
    for author in _SAMPLE_AUTHORS:
        text = re.sub(rf"\b{re.escape(author)}\b", f"{rng.choice(_SURNAMES)}{index}x{rng.randint(0, 99)}", text)
    for k, doi in enumerate(_SAMPLE_DOIS):
        text = text.replace(doi, f"doi:10.9999/syn.{seed}.{index}.{k}")
    for year in ("2002", "2012", "2014", "2015", "2016", "2021"):
        text = re.sub(rf"\b{year}\b", str(rng.randint(1995, 2024)), text)
    # Numbers: group sizes and percentages.
    text = re.sub(r"n  = 7", f"n  = {rng.randint(5, 400)}", text)
    text = re.sub(r"\(n=(\d+)\)", lambda m: f"(n={rng.randint(10, 500)})", text)
    text = re.sub(r"\b(\d{1,2})% ", lambda m: f"{rng.randint(1, 95)}% ", text)
    return text


def _ctgov_study(rng: random.Random, index: int) -> dict:
    drug, _ = rng.choice(_names(NodeKind.DRUG))
    condition, _ = rng.choice(_names(NodeKind.CONDITION))
    events = rng.sample(_names(NodeKind.OUTCOME), 3)
    n_drug, n_placebo = rng.randint(20, 400), rng.randint(20, 400)
    nct = f"NCT9{index:07d}"
    stats = [
        [
            {"groupId": "EG000", "numEvents": a + 2, "numAffected": a, "numAtRisk": n_drug},
            {"groupId": "EG001", "numEvents": b + 1, "numAffected": b, "numAtRisk": n_placebo},
        ]
        for a, b in ((rng.randint(0, n_drug // 2), rng.randint(0, n_placebo // 3)) for _ in events)
    ]
    return {
        "protocolSection": {
            "identificationModule": {
                "nctId": nct,
                "briefTitle": f"{drug.capitalize()} in {condition} (synthetic {index})",
                "officialTitle": f"A Randomized, Placebo-Controlled Trial of {drug} in Patients With {condition}",
            },
            "statusModule": {
                "overallStatus": rng.choice(["COMPLETED", "COMPLETED", "TERMINATED"]),
                "startDateStruct": {"date": f"{rng.randint(2000, 2022)}-0{rng.randint(1, 9)}"},
                "completionDateStruct": {"date": "2023-06", "type": "ACTUAL"},
            },
            "conditionsModule": {"conditions": [condition]},
            "designModule": {
                "studyType": "INTERVENTIONAL",
                "phases": [rng.choice(["PHASE2", "PHASE3", "PHASE4"])],
                "designInfo": {"allocation": "RANDOMIZED", "interventionModel": "PARALLEL"},
                "enrollmentInfo": {"count": n_drug + n_placebo, "type": "ACTUAL"},
            },
            "armsInterventionsModule": {
                "armGroups": [
                    {"label": drug.capitalize(), "type": "EXPERIMENTAL", "interventionNames": [f"Drug: {drug}"]},
                    {"label": "Placebo", "type": "PLACEBO_COMPARATOR", "interventionNames": ["Drug: placebo"]},
                ],
                "interventions": [
                    {"type": "DRUG", "name": drug, "armGroupLabels": [drug.capitalize()]},
                    {"type": "DRUG", "name": "placebo", "armGroupLabels": ["Placebo"]},
                ],
            },
            "outcomesModule": {"primaryOutcomes": [{"measure": events[0][0], "timeFrame": "24 weeks"}]},
        },
        "resultsSection": {
            "adverseEventsModule": {
                "eventGroups": [
                    {"id": "EG000", "title": drug.capitalize(), "description": f"{drug} once daily"},
                    {"id": "EG001", "title": "Placebo", "description": "matching placebo"},
                ],
                "otherEvents": [
                    {"term": name.capitalize(), "organSystem": "General disorders", "stats": s}
                    for (name, _), s in zip(events, stats, strict=True)
                ],
            }
        },
        "hasResults": True,
    }


def ctgov_page(start: int, count: int, *, seed: int = 7) -> str:
    """A page of ``count`` studies as the ClinicalTrials.gov API v2 returns it."""
    rng = random.Random(seed * 7919 + start)
    return json.dumps({"studies": [_ctgov_study(rng, start + i) for i in range(count)]}, ensure_ascii=False)


def _pubmed_article(rng: random.Random, index: int) -> str:
    drug, _ = rng.choice(_names(NodeKind.DRUG))
    condition, _ = rng.choice(_names(NodeKind.CONDITION))
    outcome, _ = rng.choice(_names(NodeKind.OUTCOME))
    n1, n2 = rng.randint(10, 300), rng.randint(10, 300)
    p1, p2 = rng.randint(1, 80), rng.randint(1, 80)
    year = rng.randint(1995, 2024)
    authors = "".join(
        f"<Author ValidYN='Y'><LastName>{escape(rng.choice(_SURNAMES))}</LastName>"
        f"<ForeName>A</ForeName><Initials>A</Initials></Author>"
        for _ in range(rng.randint(1, 5))
    )
    results = (
        f"{outcome.capitalize()} was reported in {p1}% of patients treated with {drug} (n = {n1}), "
        f"and in {p2}% of patients given placebo (n = {n2})."
    )
    return f"""<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM"><PMID Version="1">{90_000_000 + index}</PMID>
<Article PubModel="Print"><Journal><JournalIssue CitedMedium="Internet"><Volume>{rng.randint(1, 200)}</Volume>
<Issue>{rng.randint(1, 12)}</Issue><PubDate><Year>{year}</Year></PubDate></JournalIssue>
<Title>Synthetic journal of pharmacology</Title><ISOAbbreviation>Synth J Pharmacol</ISOAbbreviation></Journal>
<ArticleTitle>{escape(drug.capitalize())} and {escape(outcome)} in {escape(condition)}: a randomized trial ({index}).</ArticleTitle>
<Pagination><MedlinePgn>{index % 900 + 1}-{index % 900 + 9}</MedlinePgn></Pagination>
<ELocationID EIdType="doi" ValidYN="Y">10.9999/pubmed.syn.{index}</ELocationID>
<Abstract><AbstractText Label="OBJECTIVE" NlmCategory="OBJECTIVE">To assess {escape(outcome)} with {escape(drug)} in {escape(condition)}.</AbstractText>
<AbstractText Label="METHODS" NlmCategory="METHODS">Randomized, placebo-controlled trial in {n1 + n2} patients with {escape(condition)}.</AbstractText>
<AbstractText Label="RESULTS" NlmCategory="RESULTS">{escape(results)}</AbstractText>
<AbstractText Label="CONCLUSIONS" NlmCategory="CONCLUSIONS">{escape(drug.capitalize())} increased the risk of {escape(outcome)}.</AbstractText></Abstract>
<AuthorList CompleteYN="Y">{authors}</AuthorList><Language>eng</Language>
<PublicationTypeList><PublicationType UI="D016449">Randomized Controlled Trial</PublicationType></PublicationTypeList>
</Article></MedlineCitation><PubmedData><ArticleIdList><ArticleId IdType="pubmed">{90_000_000 + index}</ArticleId>
<ArticleId IdType="doi">10.9999/pubmed.syn.{index}</ArticleId></ArticleIdList></PubmedData></PubmedArticle>"""


def pubmed_set(start: int, count: int, *, seed: int = 7) -> str:
    """``count`` articles as PubMed efetch returns them."""
    rng = random.Random(seed * 104_729 + start)
    body = "\n".join(_pubmed_article(rng, start + i) for i in range(count))
    return f'<?xml version="1.0" ?>\n<PubmedArticleSet>\n{body}\n</PubmedArticleSet>\n'


def write_corpus(
    directory: Path, *, reports: int, trials: int, articles: int, per_file: int = 50, seed: int = 7
) -> dict[str, list[Path]]:
    """Write reports (one per file), trial pages and PubMed sets of ``per_file`` records into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    out: dict[str, list[Path]] = {"report": [], "ctgov": [], "pubmed": []}
    for i in range(reports):
        path = directory / f"report_{i:05d}.txt"
        path.write_text(report_text(i, seed=seed), encoding="utf-8")
        out["report"].append(path)
    for start in range(0, trials, per_file):
        path = directory / f"ctgov_{start:06d}.json"
        path.write_text(ctgov_page(start, min(per_file, trials - start), seed=seed), encoding="utf-8")
        out["ctgov"].append(path)
    for start in range(0, articles, per_file):
        path = directory / f"pubmed_{start:06d}.xml"
        path.write_text(pubmed_set(start, min(per_file, articles - start), seed=seed), encoding="utf-8")
        out["pubmed"].append(path)
    return out
