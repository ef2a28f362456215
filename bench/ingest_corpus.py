"""Document corpora for the end-to-end ingest benchmark, written into a temporary directory at bench time.

* PubMed XML: the real BioCreative V CDR abstracts (``../shared/fixtures/bc5cdr``; 1,000 titles and
  abstracts with their MeSH-annotated chemicals and diseases) repeated under new PMIDs, 25 articles a
  file as PubMed's efetch returns them.  The annotations become the article's MeSH headings and
  chemical list, so the loader sees what a real record carries.
* ClinicalTrials.gov API v2 JSON: the shared real records (``../shared/fixtures/ctgov``) under new
  NCT ids, one record a file as ``evx fetch ctgov`` saves them.
* Dutch drug–disease reports: :func:`bench.documents.report_text` (the bundled sample's layout).

Nothing here is committed: the third-party data is read from ``../shared`` when the benchmark runs.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

__all__ = ["SHARED", "Abstract", "ctgov_files", "pubmed_files", "read_abstracts", "report_files"]

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "fixtures"
PMID_BASE = 70_000_000  # far above real PMIDs of the corpus, so no generated record collides with one
NCT_BASE = 80_000_000


@dataclass(frozen=True)
class Abstract:
    pmid: str
    title: str
    text: str
    chemicals: tuple[tuple[str, str], ...]  # (mention, MeSH id)
    diseases: tuple[tuple[str, str], ...]


def read_abstracts(root: Path = SHARED / "bc5cdr") -> list[Abstract]:
    """The PubTator blocks of every ``*.PubTator.txt`` under ``root``, in file order."""
    out: list[Abstract] = []
    for path in sorted(root.glob("*.PubTator.txt")):
        for block in path.read_text(encoding="utf-8").split("\n\n"):
            lines = [line for line in block.splitlines() if line.strip()]
            if not lines:
                continue
            title = text = ""
            pmid = lines[0].split("|", 1)[0]
            chemicals: dict[str, str] = {}
            diseases: dict[str, str] = {}
            for line in lines:
                if "|t|" in line[:20]:
                    title = line.split("|t|", 1)[1]
                elif "|a|" in line[:20]:
                    text = line.split("|a|", 1)[1]
                else:
                    parts = line.split("\t")
                    if len(parts) >= 6 and parts[5] not in ("-1", ""):
                        target = chemicals if parts[4] == "Chemical" else diseases
                        target.setdefault(parts[5].split("|")[0], parts[3])
            out.append(
                Abstract(
                    pmid,
                    title,
                    text,
                    tuple((m, i) for i, m in chemicals.items()),
                    tuple((m, i) for i, m in diseases.items()),
                )
            )
    return out


def _article(abstract: Abstract, pmid: int, year: int) -> str:
    mesh = "".join(
        f"<MeshHeading><DescriptorName UI={quoteattr(ui)} MajorTopicYN='N'>{escape(name)}</DescriptorName></MeshHeading>"
        for name, ui in abstract.diseases
    )
    chemicals = "".join(
        f"<Chemical><RegistryNumber>0</RegistryNumber><NameOfSubstance UI={quoteattr(ui)}>{escape(name)}"
        "</NameOfSubstance></Chemical>"
        for name, ui in abstract.chemicals
    )
    return (
        f'<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM"><PMID Version="1">{pmid}</PMID>'
        '<Article PubModel="Print"><Journal><JournalIssue CitedMedium="Print">'
        f"<PubDate><Year>{year}</Year></PubDate></JournalIssue><Title>Benchmark journal</Title></Journal>"
        f"<ArticleTitle>{escape(abstract.title)}</ArticleTitle>"
        f"<Abstract><AbstractText>{escape(abstract.text)}</AbstractText></Abstract>"
        "<Language>eng</Language><PublicationTypeList><PublicationType UI='D016428'>Journal Article"
        "</PublicationType></PublicationTypeList></Article>"
        f"<ChemicalList>{chemicals}</ChemicalList><MeshHeadingList>{mesh}</MeshHeadingList></MedlineCitation>"
        f'<PubmedData><ArticleIdList><ArticleId IdType="pubmed">{pmid}</ArticleId></ArticleIdList></PubmedData>'
        "</PubmedArticle>"
    )


def pubmed_files(directory: Path, count: int, *, per_file: int = 25, offset: int = 0) -> list[Path]:
    """``count`` PubMed articles (the shared abstracts, cycled, each under a new PMID) in files of ``per_file``."""
    abstracts = read_abstracts()
    if not abstracts:
        raise FileNotFoundError(f"no BioCreative abstracts under {SHARED / 'bc5cdr'}")
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for start in range(0, count, per_file):
        body = "\n".join(
            _article(abstracts[(offset + i) % len(abstracts)], PMID_BASE + offset + i, 1980 + (offset + i) % 40)
            for i in range(start, min(start + per_file, count))
        )
        path = directory / f"pubmed_{offset + start:07d}.xml"
        path.write_text(f'<?xml version="1.0" ?>\n<PubmedArticleSet>\n{body}\n</PubmedArticleSet>\n', encoding="utf-8")
        paths.append(path)
    return paths


def ctgov_files(directory: Path, count: int, *, root: Path = SHARED / "ctgov") -> list[Path]:
    """``count`` ClinicalTrials.gov records (the shared real ones, cycled, with new NCT ids), one per file."""
    records = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(root.glob("NCT*.json"))]
    if not records:
        raise FileNotFoundError(f"no ClinicalTrials.gov records under {root}")
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        record = copy.deepcopy(records[i % len(records)])
        nct = f"NCT{NCT_BASE + i:08d}"
        record["protocolSection"]["identificationModule"]["nctId"] = nct
        path = directory / f"{nct}.json"
        path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
        paths.append(path)
    return paths


def report_files(directory: Path, count: int, *, seed: int = 7) -> list[Path]:
    """``count`` synthetic Dutch drug–disease reports, one per file."""
    from bench.documents import report_text

    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        path = directory / f"report_{i:05d}.txt"
        path.write_text(report_text(i, seed=seed), encoding="utf-8")
        paths.append(path)
    return paths
