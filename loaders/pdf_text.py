"""The text layer of a PDF, read in a child process that is killed at a deadline.

An 8 KB PDF can make a PDF library work for minutes: twenty pages that share one 2 MB content
stream are twenty 2 MB pages to the text extractor, and 5,000 such pages fit in 800 KB.  So
pypdf never runs in the loading process.  A child (``loaders/_pdf_worker.py``) reads the PDF
under an address-space and CPU limit of its own, refuses more than ``MAX_PDF_PAGES`` pages or
more than ``MAX_PDF_CONTENT_BYTES`` of drawing instructions before extracting anything, and is
killed when ``PDF_DEADLINE_S`` has passed.  Whatever the file, the caller has text or a
:class:`LoadError` saying why within the deadline (plus the child's start, a fraction of a second).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from graph.errors import LoadError

__all__ = ["MAX_PDF_CONTENT_BYTES", "MAX_PDF_PAGES", "PDF_DEADLINE_S", "PDF_MEMORY_BYTES", "pdf_text"]

#: More pages than this is not a report (the longest Dutch drug–disease reports have a few dozen).
MAX_PDF_PAGES = 500
#: Drawing instructions of all pages together, decompressed (a text page holds 5–50 KB; the
#: extractor reads about 0.5 MB a second, so this much already takes longer than the deadline).
MAX_PDF_CONTENT_BYTES = 16 * 1024 * 1024
#: Wall-clock seconds the text extraction may take, leaving time to parse the text within 10 s.
PDF_DEADLINE_S = 8.0
#: Address space of the child process.
PDF_MEMORY_BYTES = 3 * 1024**3

_WORKER = Path(__file__).with_name("_pdf_worker.py")


def pdf_text(
    data: bytes,
    *,
    path: str | None = None,
    max_pages: int = MAX_PDF_PAGES,
    max_content_bytes: int = MAX_PDF_CONTENT_BYTES,
    deadline_s: float | None = None,
    memory_bytes: int = PDF_MEMORY_BYTES,
) -> str:
    """The PDF's text (pages joined by newlines); a :class:`LoadError` for anything else, within the deadline.

    ``deadline_s`` defaults to :data:`PDF_DEADLINE_S` as it is when called (a bounded upload lowers it).

    Refused: encrypted, unreadable, too many pages, too much drawing, past the deadline, out of
    memory, and a PDF without a text layer (a scan).
    """
    if deadline_s is None:
        deadline_s = PDF_DEADLINE_S
    command = [
        sys.executable,
        "-I",  # isolated: no user site, no current directory, no PYTHON* variables
        str(_WORKER),
        str(max_pages),
        str(max_content_bytes),
        str(memory_bytes),
        str(int(deadline_s) + 2),  # CPU seconds: a backstop should the kill below not happen
    ]
    started = time.monotonic()
    try:
        child = subprocess.Popen(  # fixed argv: this interpreter and the worker file
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
    except OSError as exc:
        raise LoadError(f"cannot start the PDF reader: {exc}", path=path) from exc
    try:
        out, err = child.communicate(data, timeout=deadline_s)
    except subprocess.TimeoutExpired:
        child.kill()
        _, err = child.communicate()
        raise LoadError(
            f"reading the PDF's text did not finish within {deadline_s:g} s{_progress(err, ' (stopped at {})')}; "
            "it may be built to stall PDF readers — save it as text and load that instead",
            path=path,
            line=1,
        ) from None
    except BaseException:
        child.kill()
        child.wait()
        raise
    try:
        answer = json.loads(out) if out else {}
    except ValueError:
        answer = {}
    if not answer:
        seconds = time.monotonic() - started
        raise LoadError(
            f"the PDF reader stopped after {seconds:.1f} s without an answer (exit status {child.returncode}"
            f"{_progress(err, ', at {}')}); the PDF may be damaged or built to exhaust memory",
            path=path,
            line=1,
        )
    if "error" in answer:
        raise LoadError(_refusal(answer, max_pages, max_content_bytes, memory_bytes), path=path, line=1)
    pages = [p if isinstance(p, str) else "" for p in answer.get("pages", [])]
    text = "\n".join(pages).replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise LoadError(
            f"the PDF has {len(pages)} page(s) but no text layer (scanned?); run OCR first", path=path, line=1
        )
    return text


def _refusal(answer: dict, max_pages: int, max_content_bytes: int, memory_bytes: int) -> str:
    kind = answer["error"]
    if kind == "encrypted":
        return "the PDF is encrypted; save an unencrypted copy"
    if kind == "pages":
        return f"the PDF has {answer.get('pages', 0):,} pages; the limit is {max_pages:,} (split it, or load its text)"
    if kind == "content":
        return (
            f"the PDF's pages hold more than {max_content_bytes // 2**20:,} MB of drawing instructions "
            f"(passed at page {answer.get('page')} of {answer.get('pages')}); a report holds far less — "
            "it may be built to stall PDF readers; save it as text and load that instead"
        )
    if kind == "memory":
        return f"reading the PDF needed more than {memory_bytes // 2**20:,} MB of memory; save it as text and load that"
    detail = str(answer.get("detail") or "unknown reason")[:300]
    return f"not a readable PDF: {detail}"


def _progress(err: bytes, template: str) -> str:
    """How far the child got (its last "page N COUNT" line on stderr) in ``template``, or ""."""
    lines = [line.split() for line in err.decode("ascii", "replace").splitlines() if line.startswith("page ")]
    if not lines or len(lines[-1]) != 3:
        return ""
    page, count = lines[-1][1:]
    return template.format(f"page {page} of {count}")
