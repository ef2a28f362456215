"""Reading an untrusted file in a child process with a deadline and a memory limit.

The explorer's upload page reads files from anyone who can open it, in the process that
serves everyone.  A parser can be made to work for minutes or to take gigabytes: a JSON file
nested 100,000 levels deep makes the streaming JSON parser build a string per level (memory
grows with depth squared), a PubMed record with deeply nested markup has run past 30 s.  So
each upload is parsed by a child (``python -m loaders.bounded``) that limits its own address
space and CPU time, and is killed at the deadline; the documents come back as JSON and are
validated again here (no pickles from a process that parsed hostile bytes).
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from graph.errors import LoadError, UnsupportedFormatError
from graph.model import Document

__all__ = ["LOAD_DEADLINE_S", "LOAD_MEMORY_BYTES", "load_bounded"]

#: Wall-clock seconds from starting the child to its answer (its start takes 0.5–2 s of it).
LOAD_DEADLINE_S = 10.0
#: Address space of the child.
LOAD_MEMORY_BYTES = 2 * 1024**3
_DOCUMENTS = TypeAdapter(list[Document])
_ERRORS = {"UnsupportedFormatError": UnsupportedFormatError}


def load_bounded(
    path: Path, *, deadline_s: float = LOAD_DEADLINE_S, memory_bytes: int = LOAD_MEMORY_BYTES
) -> list[Document]:
    """The documents in ``path``, read by the loader that recognises it, or a :class:`LoadError` within the deadline."""
    started = time.monotonic()
    command = [sys.executable, "-m", "loaders.bounded", str(path), str(memory_bytes), repr(deadline_s)]
    try:
        child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)  # fixed argv
    except OSError as exc:
        raise LoadError(f"cannot start the reader: {exc}", path=str(path)) from exc
    try:
        out, _ = child.communicate(timeout=deadline_s)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        raise LoadError(
            f"reading the file did not finish within {deadline_s:g} s; it may be built to stall readers "
            "(load it with `evx load` on the server if you trust it)",
            path=str(path),
        ) from None
    except BaseException:
        child.kill()
        child.wait()
        raise
    try:
        answer = json.loads(out) if out else None
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        seconds = time.monotonic() - started
        raise LoadError(
            f"the reader stopped after {seconds:.1f} s without an answer (exit status {child.returncode}); "
            "the file may be built to exhaust memory",
            path=str(path),
        )
    if "error" in answer:
        if answer.get("kind") == "memory":
            raise LoadError(
                f"reading the file needed more than {memory_bytes // 2**20:,} MB of memory "
                "(load it with `evx load` on the server if you trust it)",
                path=str(path),
            )
        raise _ERRORS.get(answer.get("kind"), LoadError)(str(answer["error"]))
    try:
        return _DOCUMENTS.validate_python(answer["documents"])
    except (ValidationError, KeyError) as exc:
        raise LoadError(f"the reader's answer is not a list of documents: {exc}", path=str(path)) from exc


def _child(argv: list[str]) -> int:
    """In the child: limit ourselves, read the file, print the documents or the error as JSON."""
    path, memory, deadline = Path(argv[1]), int(argv[2]), float(argv[3])
    for which, value in ((resource.RLIMIT_AS, memory), (resource.RLIMIT_CPU, int(deadline) + 2)):
        soft, hard = resource.getrlimit(which)
        value = value if hard == resource.RLIM_INFINITY else min(value, hard)
        if soft == resource.RLIM_INFINITY or value < soft:
            resource.setrlimit(which, (value, hard))
    began = time.monotonic()
    try:
        import loaders.pdf_text as pdf
        from loaders import detect

        # a PDF's own reader stops in time for its refusal to be the answer, rather than our kill
        pdf.PDF_DEADLINE_S = max(1.0, min(pdf.PDF_DEADLINE_S, deadline - (time.monotonic() - began) - 2.5))
        documents = list(detect(path).load(path))
        answer: dict[str, object] = {"documents": _DOCUMENTS.dump_python(documents, mode="json")}
    except MemoryError:
        answer = {"error": "out of memory", "kind": "memory"}
    except RecursionError:
        answer = {"error": f"{path}: nested too deeply to read", "kind": "LoadError"}
    except Exception as exc:  # the parent turns every failure into a LoadError
        from graph.errors import EvidenceError

        message = str(exc) if isinstance(exc, EvidenceError) else f"{path}: cannot be read ({type(exc).__name__})"
        answer = {"error": message, "kind": type(exc).__name__}
    try:
        sys.stdout.write(json.dumps(answer))
    except MemoryError:
        sys.stdout.write(json.dumps({"error": "out of memory", "kind": "memory"}))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(_child(sys.argv))
