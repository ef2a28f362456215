"""The use-cases the explorer and the CLI share, so their rules live in one place.

:class:`EvidenceService` (one per request, over one opened store) owns ``load`` (every load:
``evx load``, ``evx fetch``, the samples, the explorer's ``upload``), ``evidence`` and ``link``
(curated, fetched once), ``report``, ``bundle``, ``export``, ``decisions`` (the edges to curate) and
``sync``.  :class:`Curation` records a curator's decisions; it needs no open store.  The front
ends (``ui/cli``, ``ui/web``) parse input, call these and show the result.

The rule that matters most: a curator's corrections apply wherever evidence is shown.  An
:class:`EvidenceService` reads the store's curation log once, fetches the evidence of a
drug → outcome link once, applies the overlay once, and hands every view of that link —
the evidence table, its counts, the forest chart, the synthesis, the report and the
exported graph — the same curated result.  Before this existed the explorer's table read
the store directly, and an edge a curator had rejected still showed as a supporting row.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import networkx as nx

from graph.curation import (
    Correction,
    CuratedEvidence,
    CurationLog,
    correction_of,
    curate_evidence,
    curate_graph,
    curation_path,
    read_corrections,
)
from graph.evidence_view import (
    EvidenceRow,
    ForestPoint,
    RecommendationRow,
    evidence_rows,
    forest_points,
    points_of_rows,
    recommendation_rows,
)
from graph.export import export_bytes, write
from graph.export.bundle import bundle_bytes, evidence_nodes, write_bundle
from graph.ids import slug
from graph.pipeline import BATCH_DOCUMENTS, LoadProgress, LoadSummary, Parse, load_files
from graph.reading import MAX_UPLOAD_BYTES, DocumentParser, UploadParser, UploadSummary, safe_name
from graph.report import EvidenceReport, build_report, evidence_sources
from graph.settings import Settings
from graph.store.base import EvidenceStore
from graph.store.ladybug.open import STORE_MARK
from graph.sync import Progress as SyncProgress
from graph.sync import SyncReport, copy_store
from graph.synthesis.testimony import weigh
from graph.synthesis.weights import Weights, load_weights
from graph.views import Evidence

__all__ = ["Curation", "EdgeDecision", "EvidenceBundle", "EvidenceService", "LinkEvidence", "curation_log"]


@dataclass(frozen=True)
class LinkEvidence:
    """Everything the explorer shows about one link, built from one curated fetch.

    ``supporting`` and ``contradicting`` are counted from ``rows``, so the numbers above
    the table always agree with the table.  ``report`` (certainty, pooling, conflicts) is
    built when first asked for: on a link with thousands of studies it takes minutes
    (conflicts are pairs), and the table must not wait for it.
    """

    drug: dict[str, Any]
    target: dict[str, Any]
    curated: CuratedEvidence
    rows: tuple[EvidenceRow, ...]
    recommendations: tuple[RecommendationRow, ...]
    build_report: Callable[[], EvidenceReport] = field(repr=False, compare=False)

    @cached_property
    def points(self) -> tuple[ForestPoint, ...]:
        """Every number behind the link, for the chart (see :meth:`points_for` for some rows only)."""
        return tuple(forest_points(self.evidence))

    def points_for(self, rows: Sequence[EvidenceRow]) -> tuple[ForestPoint, ...]:
        """The numbers of ``rows`` only: a table showing 50 of 3,000 studies charts those 50."""
        return tuple(points_of_rows(self.evidence, rows))

    @cached_property
    def report(self) -> EvidenceReport:
        return self.build_report()

    @property
    def evidence(self) -> Evidence:
        return self.curated.evidence

    @property
    def supporting(self) -> int:
        return sum(r.stance == "supports" for r in self.rows)

    @property
    def contradicting(self) -> int:
        return sum(r.stance == "contradicts" for r in self.rows)


@dataclass
class EvidenceService:
    """Curated evidence of one store: ``evidence`` and ``link`` fetch each link once per service.

    Make one per request (a page render, a CLI command): it caches what it fetched, and a
    correction recorded later is seen by the next service.
    """

    store: EvidenceStore
    corrections: Sequence[Correction] = ()
    settings: Settings | None = None
    weights: Weights | None = None
    _fetched: dict[tuple[str, str], CuratedEvidence] = field(default_factory=dict, init=False, repr=False)
    _links: dict[tuple[str, str, str | None], LinkEvidence] = field(default_factory=dict, init=False, repr=False)

    @classmethod
    def for_settings(cls, store: EvidenceStore, settings: Settings, **options: Any) -> EvidenceService:
        """A service that applies the curation log kept with the store ``settings`` name."""
        return cls(store, tuple(curation_log(settings).corrections), settings, **options)

    def evidence(self, drug_id: str, target_id: str) -> CuratedEvidence:
        """The link's evidence with the corrections applied (rejections removed, relabels in)."""
        key = (drug_id, target_id)
        if key not in self._fetched:
            raw = self.store.evidence(drug_id, target_id)
            self._fetched[key] = curate_evidence(raw, self.corrections, node=self.store.node)
        return self._fetched[key]

    def link(self, drug_id: str, target_id: str, *, population: str | None = None) -> LinkEvidence:
        """Rows, recommendations, chart points and the report of one link, all from one curated fetch."""
        key = (drug_id, target_id, population)
        if key in self._links:
            return self._links[key]
        curated = self.evidence(drug_id, target_id)
        evidence = curated.evidence

        def report() -> EvidenceReport:
            return build_report(
                evidence,
                sources=evidence_sources(evidence, self.store.node),
                corrections=self.corrections,
                node=self.store.node,
                population=population,
                weights=self.weights,
                curated=curated,
            )

        # strongest first within each stance, weighed as the report weighs them (a case report after a cohort)
        weight: dict[tuple[str, str], float] = {}
        for t in weigh(evidence, self.weights or load_weights()):
            key_ = (t.evidence_id, t.stance)
            weight[key_] = max(weight.get(key_, 0.0), t.weight)
        rows = sorted(
            evidence_rows(evidence),
            key=lambda r: (r.stance != "supports", -weight.get((r.evidence_id, r.stance), 0.0), r.name),
        )
        view = LinkEvidence(
            drug=evidence.drug,
            target=evidence.target,
            curated=curated,
            rows=tuple(rows),
            recommendations=tuple(recommendation_rows(evidence)),
            build_report=report,
        )
        self._links[key] = view
        return view

    def report(self, drug: str, target: str, *, population: str | None = None) -> EvidenceReport:
        """The report for names as a person types them ("mecasermine", "hypoglykemie")."""
        drug_id, target_id = self.store.resolve(drug)["id"], self.store.resolve(target)["id"]
        return self.link(drug_id, target_id, population=population).report

    def load(
        self,
        files: Sequence[Path],
        *,
        parse: Parse | None = None,
        progress: Callable[[LoadProgress], None] | None = None,
        workers: int | None = None,
        batch_documents: int = BATCH_DOCUMENTS,
        replace: bool = False,
    ) -> LoadSummary:
        """Parse ``files`` and write their documents in batches (:func:`graph.pipeline.load_files`).

        The one load of the product: ``evx load``, ``evx fetch``, the samples ``evx app`` loads and
        the explorer's uploads (:meth:`upload`) all come here.  ``parse`` defaults to reading the
        files as the user's own (:class:`~graph.reading.DocumentParser` over the store's vocabulary).
        """
        if parse is None:
            parse = DocumentParser.over(self.settings.store if self.settings is not None else None)
        return load_files(
            self.store,
            files,
            parse=parse,
            workers=workers,
            batch_documents=batch_documents,
            on_progress=progress,
            replace=replace,
        )

    def upload(
        self,
        files: Sequence[tuple[str, bytes]],
        progress: Callable[[int, int, str], None] | None = None,
        *,
        max_bytes: int = MAX_UPLOAD_BYTES,
        replace: bool = False,
    ) -> UploadSummary:
        """Load uploaded ``(name, content)`` pairs through :meth:`load`, each read within bounds.

        A file over ``max_bytes`` is refused unread, with a message saying what to do instead; every
        other file is read in a child process that is stopped after ``LOAD_DEADLINE_S`` (10 s)
        (:class:`~graph.reading.UploadParser`).  One bad file spoils only itself.  A document already
        stored in another version is listed in ``unapplied``, or, with ``replace``, has its records
        swapped for the uploaded ones.  ``progress`` is called with (files done, files, name).
        """
        with tempfile.TemporaryDirectory(prefix="evx-upload-") as tmp:
            names: dict[Path, str] = {}
            for i, (name, content) in enumerate(files):
                path = Path(tmp) / f"{i:03d}-{safe_name(name)}"
                path.write_bytes(content)
                names[path] = name
            order = list(names.values())

            def show(p: LoadProgress) -> None:
                if progress is not None:
                    progress(p.files_done, p.files_total, order[p.files_done] if p.files_done < len(order) else "")

            if progress is not None:
                progress(0, len(order), order[0] if order else "")
            summary = self.load(list(names), parse=UploadParser(max_bytes), progress=show, replace=replace)
        return UploadSummary.of(summary, names)

    def curated_graph(self, graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
        """A copy of ``graph`` with the corrections on its edges, as every export carries them."""
        return curate_graph(graph, self.corrections)

    def export(
        self, graph: nx.MultiDiGraph, fmt: str, path: Path, *, force: bool = False
    ) -> tuple[Path, nx.MultiDiGraph]:
        """Write ``graph`` with the corrections on it as ``fmt`` (a :data:`graph.export.FORMATS` name) to ``path``.

        Returns the file written and the graph as exported.
        """
        curated = self.curated_graph(graph)
        return write(curated, fmt, path, force=force), curated

    def export_bytes(self, graph: nx.MultiDiGraph, fmt: str) -> bytes:
        """``graph`` with the corrections on it as ``fmt``, in memory (a download)."""
        return export_bytes(self.curated_graph(graph), fmt)

    def bundle(self, drug: str, target: str, *, population: str | None = None) -> EvidenceBundle:
        """The evidence bundle of a link (names as typed): its report, and the graph behind it.

        The graph keeps what a curator rejected, marked as such: the bundle shows the decision.
        """
        report = self.report(drug, target, population=population)
        curated = self.evidence(report.synthesis.drug["id"], report.synthesis.target["id"])
        items = [i for i in (*curated.evidence.items, *curated.rejected) if i.source_doc != "curation"]
        graph = self.store.subgraph(evidence_nodes(report, items))
        return EvidenceBundle(graph, report, tuple(self.corrections))

    def decisions(self, drug_id: str, target_id: str) -> tuple[EdgeDecision, ...]:
        """The stance edges behind a link, rejected ones too, with ids and curation status (to decide on)."""
        curated = self.evidence(drug_id, target_id)
        seen: set[str] = set()
        out: list[EdgeDecision] = []
        for item in (*curated.evidence.items, *curated.rejected):
            if item.edge_id in seen:
                continue
            seen.add(item.edge_id)
            status = "; ".join(f"{c['curation_status']} by {c['curated_by']}" for c in item.curation)
            out.append(
                EdgeDecision(item.edge_id, item.stance.value, str(item.evidence.name), str(item.finding.name), status)
            )
        return tuple(out)

    def sync(self, server: EvidenceStore, *, to_server: bool, progress: SyncProgress | None = None) -> SyncReport:
        """Copy this store into ``server`` (``to_server``), or ``server`` into this store, document by document.

        Safe to re-run: documents the target holds are skipped (:func:`graph.sync.copy_store`).
        """
        source, target = (self.store, server) if to_server else (server, self.store)
        return copy_store(source, target, progress=progress)


@dataclass(frozen=True)
class EvidenceBundle:
    """A link's report and graph, to be zipped (graph JSON and GraphML, quotes, figures, summaries, report)."""

    graph: nx.MultiDiGraph
    report: EvidenceReport
    corrections: tuple[Correction, ...] = ()

    def write(self, path: Path) -> None:
        write_bundle(path, self.graph, [self.report], corrections=self.corrections)

    def to_bytes(self) -> bytes:
        return bundle_bytes(self.graph, [self.report], corrections=self.corrections)


@dataclass(frozen=True)
class EdgeDecision:
    """One stance edge a curator may decide on (``evx curate list``)."""

    edge_id: str
    stance: str
    evidence: str
    claim: str
    curation: str


@dataclass(frozen=True)
class Curation:
    """The curate use-case: decisions validated once and kept in the log of the settings' backend.

    It needs no open store, on purpose: a curator records a decision while the explorer (the
    store's one writer) is running, and a decision about a Neo4j server's edge needs no
    connection to it.  :class:`EvidenceService` applies what is recorded here.
    """

    log: CurationLog

    @classmethod
    def for_settings(cls, settings: Settings) -> Curation:
        return cls(curation_log(settings))

    @property
    def corrections(self) -> tuple[Correction, ...]:
        return tuple(self.log.corrections)

    def record(self, *, date: dt.date | None = None, **fields: object) -> Correction:
        """Validate one decision (a :class:`~graph.errors.RecordError` names the bad field) and save it."""
        correction = correction_of({**fields, "date": date or dt.date.today()})
        self.log.add(correction)
        return correction

    def import_file(self, path: Path, *, curator: str | None = None) -> list[Correction]:
        """Every correction of a curator's YAML file, or none if one is wrong (the error names file and line)."""
        corrections = read_corrections(path, curator=curator)
        self.log.add(*corrections)
        return corrections


def curation_log(settings: Settings) -> CurationLog:
    """The curation log of the store ``settings`` name, located per backend.

    The embedded store keeps its log beside its database (``--store``).  A Neo4j server's
    log is one per server and database, under the same configured directory, so the
    corrections made on one server never apply to another's edges.  ``EVX_CURATION_LOG``
    names the file outright: a team points every client at one shared log.
    """
    if settings.curation_log is not None:
        return CurationLog.open(settings.curation_log)
    if settings.neo4j_uri:
        server = slug(f"{settings.neo4j_uri.partition('://')[2]} {settings.neo4j_database or 'default'}")
        per_server = curation_path(settings.store / "neo4j" / server)
        legacy = curation_path(settings.store)
        # Earlier versions kept a Neo4j server's log beside --store: keep reading (and writing) it there
        # rather than silently starting an empty log and losing a team's corrections.
        if not per_server.exists() and legacy.exists() and not (settings.store / STORE_MARK).exists():
            return CurationLog.open(legacy)
        return CurationLog.open(per_server)
    return CurationLog.for_store(settings.store)
