"""Loading many files: parse (in worker processes when asked), then write in batches; honest progress.

The use-case behind ``evx load`` (and anything else that loads files in bulk).  Files are parsed
by ``parse`` — the caller passes :func:`loaders.load_path`; this module never imports the loaders,
so it does not depend on what they extract — in file order, a bounded number of files ahead, in
worker processes when asked (see :func:`_default_workers` for why not by default).  Documents are
gathered into batches (by count and by records) and written with :meth:`EvidenceStore.ingest_many`: one
transaction per batch, a document stored whole or not at all, a refused document reported and
skipped without losing the rest of its batch.  A file that cannot be parsed stores nothing.
One writer thread stores a batch while the next one is parsed: the engine works outside the
interpreter lock, so on two cores its share of a load overlaps the parsing (at most one batch in
flight; a batch is accounted for before the next is handed over, and a stopped load waits for it).
Re-running the same load after a kill skips the documents already stored and finishes the rest.
"""

from __future__ import annotations

import gc
import multiprocessing
import resource
import signal
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from graph.errors import EvidenceError, StoreError, StoreLockedError, WriteRefusedError
from graph.model import Document
from graph.store.base import BatchResult, EvidenceStore

__all__ = ["FileOutcome", "LoadProgress", "LoadSummary", "load_files"]

#: Documents per transaction, and records (nodes + edges) per transaction: whichever comes first.
BATCH_DOCUMENTS = 500
BATCH_RECORDS = 50_000
#: The first batch holds this share of ``batch_records``, and each next one twice the one before, up to
#: the full size: the writer starts while the parser is still on the first files.  200 reports
#: (225 records each) were one batch of 45,000 records, written only once every file was parsed.
FIRST_BATCH_SHARE = 8

#: The cycle collector's thresholds during a load.  Records hold no cycles, yet the default (a young
#: collection every 700 allocations, an old one every 70) had the collector walk every record of the
#: batch being gathered again and again: ~10% of parsing trial records.
_LOAD_GC_THRESHOLD = (50_000, 20, 20)

#: A parse worker's address space, and how long it may spend on one file.  Parsing in the loading
#: process (the default) has neither: the nesting bounds of the loaders keep it linear in the file.
WORKER_MEMORY_BYTES = 4 * 1024**3
WORKER_FILE_DEADLINE_S = 300.0

Parse = Callable[[Path], Sequence[Document]]


@dataclass
class FileOutcome:
    """What became of one file."""

    path: Path
    documents: int = 0
    new: int = 0
    already: int = 0
    nodes_added: int = 0
    edges_added: int = 0
    warnings: list[str] = field(default_factory=list)
    error: str | None = None  # why the file could not be read (then nothing from it is stored)
    refused: list[str] = field(default_factory=list)  # documents the store refused (the others are stored)
    replaced: int = 0  # documents already stored whose records were swapped for this reading (--replace)
    unapplied: list[str] = field(default_factory=list)  # already stored, edited since: titles, changes not applied
    counts: Counter[str] = field(default_factory=Counter)  # records written, nodes by kind and edges by type


@dataclass(frozen=True)
class LoadProgress:
    """A snapshot for a progress display: counts so far and where the load is.

    ``documents`` and ``records`` (nodes and edges) are those read so far; ``stored`` the documents
    whose batch has been committed (new or found already stored).
    """

    files_done: int
    files_total: int
    bytes_done: int
    bytes_total: int
    documents: int
    records: int
    stored: int
    current_file: str
    elapsed_s: float

    @property
    def documents_per_s(self) -> float:
        return self.documents / self.elapsed_s if self.elapsed_s > 0 else 0.0

    @property
    def records_per_s(self) -> float:
        return self.records / self.elapsed_s if self.elapsed_s > 0 else 0.0

    @property
    def eta_s(self) -> float | None:
        """Seconds left, from the bytes read so far (file sizes are known up front; documents are not)."""
        if self.bytes_done <= 0 or self.elapsed_s <= 0:
            return None
        return self.elapsed_s * (self.bytes_total - self.bytes_done) / self.bytes_done


@dataclass
class LoadSummary:
    files: list[FileOutcome]
    seconds: float
    workers: int

    @property
    def new(self) -> int:
        return sum(f.new for f in self.files)

    @property
    def already(self) -> int:
        return sum(f.already for f in self.files)

    @property
    def replaced(self) -> int:
        return sum(f.replaced for f in self.files)

    @property
    def unapplied(self) -> list[tuple[Path, str]]:
        """(file, document title) of documents already stored whose edits were not applied."""
        return [(f.path, title) for f in self.files for title in f.unapplied]

    @property
    def failed_files(self) -> list[FileOutcome]:
        return [f for f in self.files if f.error is not None]

    @property
    def refused(self) -> list[str]:
        return [r for f in self.files for r in f.refused]

    @property
    def records(self) -> int:
        return sum(f.nodes_added + f.edges_added for f in self.files)


def _parse(parse: Parse, path: Path) -> tuple[list[Document], str | None]:
    """Run in a worker: the file's documents, or the error a person can act on (never a traceback)."""
    try:
        return list(parse(path)), None
    except EvidenceError as exc:
        return [], str(exc)
    except OSError as exc:
        return [], f"{path}: {exc.strerror or exc}"
    except RecursionError:  # a loader without its own nesting bound: the file is refused, the batch goes on
        return [], f"{path}: nested too deeply to read"
    except MemoryError:
        return [], f"{path}: reading it needed more memory than this process may use"


def _default_workers(files: int) -> int:
    """Parse in this process unless asked: on 2 shared cores a worker made loads slower, not faster.

    Measured (load average ~7): 1,000 abstracts 5.3 s in-process, 12.8 s with one worker and 17.5 s
    with two; 50 trial records 7.8 s against 11.1 s.  Starting a worker re-imports the project
    (seconds on a busy machine) and every document is pickled back to the writer; the writer
    itself is a small share of the time (BENCHMARKS.md).  ``workers=N`` is there for machines with
    idle cores and expensive formats.
    """
    return 0


def _parsed(parse: Parse, files: Sequence[Path], workers: int) -> Iterator[tuple[Path, list[Document], str | None]]:
    """Each file's documents in file order, parsed at most a few files ahead (memory stays bounded)."""
    if workers <= 0:
        for path in files:
            yield (path, *_parse(parse, path))
        return
    ahead = 4 * workers
    deadline_s, memory_bytes = WORKER_FILE_DEADLINE_S, WORKER_MEMORY_BYTES
    queue = deque(files)
    pending: deque[tuple[Path, Future[tuple[list[Document], str | None]]]] = deque()
    pool = _pool(workers, memory_bytes)
    try:
        while queue or pending:
            while queue and len(pending) < ahead:
                path = queue.popleft()
                pending.append((path, pool.submit(_parse_within, parse, path, deadline_s)))
            path, future = pending.popleft()
            try:
                documents, error = future.result()
            except BrokenProcessPool:  # a worker was killed (a C-level crash, the OOM killer)
                documents = []
                error = f"{path}: the parse worker stopped without an answer; the file may be built to exhaust memory"
                queue.extendleft(reversed([p for p, _ in pending]))  # parse what follows in a new pool
                pending.clear()
                pool.shutdown(wait=True, cancel_futures=True)
                pool = _pool(workers, memory_bytes)
            yield path, documents, error
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _pool(workers: int, memory_bytes: int) -> ProcessPoolExecutor:
    # "spawn": the parent holds an open database and its threads, which a fork must not copy
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_limit_worker,
        initargs=(memory_bytes,),
    )


def _limit_worker(memory_bytes: int) -> None:
    """In a new worker: cap how far its address space may grow, so a runaway parse raises MemoryError there.

    The cap is what the worker already maps plus ``memory_bytes``, and it replaces any soft limit
    the worker inherited: a parent that ran under a tighter cap (or maps terabytes for a database)
    must not leave its workers unable to parse at all.
    """
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    value = _mapped_bytes() + memory_bytes
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(resource.RLIMIT_AS, (value, hard))


def _mapped_bytes() -> int:
    """This process's address space now (VmSize), in bytes."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[0]) * resource.getpagesize()


class _Expired(BaseException):
    """The file's deadline passed (a BaseException, so a loader's ``except Exception`` cannot swallow it)."""


def _parse_within(parse: Parse, path: Path, deadline_s: float) -> tuple[list[Document], str | None]:
    """In a worker: :func:`_parse` stopped by an alarm when ``deadline_s`` has passed."""

    def expire(_signum: int, _frame: object) -> None:
        raise _Expired

    previous = signal.signal(signal.SIGALRM, expire)
    try:
        try:
            signal.setitimer(signal.ITIMER_REAL, deadline_s)
            return _parse(parse, path)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except _Expired:
        return [], f"{path}: reading it did not finish within {deadline_s:g} s"
    finally:
        signal.signal(signal.SIGALRM, previous)


def load_files(
    store: EvidenceStore,
    files: Sequence[Path],
    *,
    parse: Parse,
    workers: int | None = None,
    batch_documents: int = BATCH_DOCUMENTS,
    batch_records: int = BATCH_RECORDS,
    on_progress: Callable[[LoadProgress], None] | None = None,
    replace: bool = False,
) -> LoadSummary:
    """Load ``files`` into ``store``: parse, batch, write; returns what became of each file.

    A document the store already holds whose records differ (an edited file with the same text,
    or a re-read by a better loader) is reported in ``unapplied``, or, with ``replace``, has its
    records swapped for this reading (:meth:`EvidenceStore.replace`, one transaction each).
    """
    began = time.perf_counter()
    workers = _default_workers(len(files)) if workers is None else workers
    sizes = [_size(p) for p in files]
    total_bytes = sum(sizes)
    outcomes = [FileOutcome(path) for path in files]
    batch: list[tuple[FileOutcome, Document]] = []
    batch_size = 0
    records_limit = max(1, batch_records // FIRST_BATCH_SHARE)  # doubles after each batch (see FIRST_BATCH_SHARE)
    state = {"documents": 0, "records": 0, "stored": 0, "files": 0, "bytes": 0}

    def report(current: str) -> None:
        if on_progress is not None:
            on_progress(
                LoadProgress(
                    state["files"],
                    len(files),
                    state["bytes"],
                    total_bytes,
                    state["documents"],
                    state["records"],
                    state["stored"],
                    current,
                    time.perf_counter() - began,
                )
            )

    writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="evx-write")
    in_flight: tuple[list[tuple[FileOutcome, Document]], Future[BatchResult]] | None = None

    def flush() -> None:
        """Hand the batch to the writer, once the batch before it is stored and accounted for."""
        nonlocal batch, batch_size, in_flight, records_limit
        if not batch:
            return
        settle()
        in_flight = (batch, writer.submit(store.ingest_many, [doc for _, doc in batch]))
        batch, batch_size = [], 0
        records_limit = min(batch_records, 2 * records_limit)

    def settle() -> None:
        """Wait for the batch being written, then account for each of its documents."""
        nonlocal in_flight
        if in_flight is None:
            return
        written, future = in_flight
        in_flight = None
        result = future.result()
        documents = {doc.source.id: doc for _, doc in written}
        owners: dict[str, deque[FileOutcome]] = {}
        for outcome, doc in written:  # a document in two files is reported for each, in order
            owners.setdefault(doc.source.id, deque()).append(outcome)
        for r in result.reports:
            outcome = owners[r.source_id].popleft()
            if r.already_loaded and _edited(store, documents[r.source_id], unknown=replace):
                if replace:
                    try:
                        r = store.replace(documents[r.source_id])
                    except (StoreLockedError, WriteRefusedError):
                        raise
                    except StoreError as exc:
                        outcome.refused.append(f"{r.source_id}: not replaced: {exc}")
                        continue
                    outcome.replaced += 1
                    outcome.counts.update(r.counts)
                    outcome.nodes_added += r.nodes_added
                    outcome.edges_added += r.edges_added
                    state["records"] += r.nodes_added + r.edges_added
                else:
                    outcome.already += 1
                    outcome.unapplied.append(documents[r.source_id].source.name)
            elif r.already_loaded:
                outcome.already += 1
            else:
                outcome.new += 1
                outcome.counts.update(r.counts)
                outcome.nodes_added += r.nodes_added
                outcome.edges_added += r.edges_added
            outcome.warnings.extend(r.warnings)
            state["stored"] += 1
        for source_id, error in result.failures:
            owners[source_id].popleft().refused.append(f"{source_id}: not stored: {error}")

    collecting = gc.get_threshold()
    gc.set_threshold(*_LOAD_GC_THRESHOLD)
    try:
        for path, documents, error in _parsed(parse, files, workers):
            outcome = outcomes[state["files"]]  # files come back in the order given
            state["files"] += 1
            state["bytes"] += sizes[state["files"] - 1]
            outcome.error = error
            outcome.documents = len(documents)
            for document in documents:
                batch.append((outcome, document))
                size = len(document.nodes) + len(document.edges) + 1
                batch_size += size
                state["documents"] += 1
                state["records"] += size
                if len(batch) >= batch_documents or batch_size >= records_limit:
                    flush()
                    report(path.name)
            report(path.name)
        flush()
        settle()
    finally:
        writer.shutdown(wait=True)  # a batch being written is stored whole before the load stops
        gc.set_threshold(*collecting)
    report("")
    return LoadSummary(outcomes, time.perf_counter() - began, workers)


def _edited(store: EvidenceStore, document: Document, *, unknown: bool) -> bool:
    """Whether the stored reading of ``document`` differs from this one (``unknown`` when no digest tells)."""
    stored = store.node(document.source.id) or {}
    have, want = stored.get("sha256"), document.source.props.get("sha256")
    if have is None or want is None:
        return unknown
    return have != want


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
