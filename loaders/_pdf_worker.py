"""The child process of :mod:`loaders.pdf_text`: read a PDF from stdin, print its text as JSON.

Run by path with ``python -I`` (no project imports: only the standard library and pypdf, so it
starts in a fraction of a second).  It limits its own memory and CPU time before it parses
anything, and reports each page it starts on stderr, so the parent can say how far it got when
it has to kill it.  Arguments: max pages, max content bytes, address-space bytes, CPU seconds.
"""

from __future__ import annotations

import io
import json
import resource
import sys


def _limit(which: int, value: int) -> None:
    soft, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    if soft == resource.RLIM_INFINITY or value < soft:
        resource.setrlimit(which, (value, hard))


def _answer(**fields: object) -> int:
    sys.stdout.write(json.dumps(fields))
    sys.stdout.flush()
    return 0


def main(argv: list[str]) -> int:
    max_pages, max_content, memory, cpu = (int(a) for a in argv[1:5])
    _limit(resource.RLIMIT_AS, memory)
    _limit(resource.RLIMIT_CPU, cpu)
    _limit(resource.RLIMIT_CORE, 0)
    data = sys.stdin.buffer.read()
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError

        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            return _answer(error="encrypted")
        pages = reader.pages
        count = len(pages)
        if count > max_pages:
            return _answer(error="pages", pages=count)
        # measure every page's drawing instructions before extracting any text: a page that
        # shares one huge stream with many others is refused here, in milliseconds
        total = 0
        for number, page in enumerate(pages, 1):
            contents = page.get_contents()
            total += len(contents.get_data()) if contents is not None else 0
            if total > max_content:
                return _answer(error="content", page=number, pages=count, bytes=total)
        texts = []
        for number, page in enumerate(pages, 1):
            print(f"page {number} {count}", file=sys.stderr, flush=True)
            texts.append(page.extract_text() or "")
    except MemoryError:
        return _answer(error="memory")
    except RecursionError:
        return _answer(error="unreadable", detail="nested too deeply")
    except PdfReadError as exc:
        return _answer(error="unreadable", detail=str(exc))
    except Exception as exc:  # any pypdf failure on hostile bytes is "unreadable"
        return _answer(error="unreadable", detail=f"{type(exc).__name__}: {exc}")
    return _answer(pages=texts)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
