"""When the store cannot be opened: a plain explanation and a "Try again" button, never a traceback.

A visitor of a shared explorer is not the person who runs the server, so the explanation says
what is going on and what to wait for, without the server's paths.  ``explain`` holds the words
(tested without Streamlit); ``require_store`` shows them and stops the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from graph.errors import EvidenceError, StoreCorruptError, StoreLockedError, StoreUnavailableError
from graph.store import EvidenceStore
from ui.web.state import get_settings, get_store
from ui.web.viewmodel import md_escape

__all__ = ["StoreProblem", "explain", "require_store"]


@dataclass(frozen=True)
class StoreProblem:
    """What the page shows: a headline, what happened (no server paths), and what to do."""

    headline: str
    detail: str
    advice: str


#: Session key: this session was told what opening the store recovered from.
_TOLD_RECOVERED = "evx_told_recovered"


def _without_paths(message: str, store: Path | None) -> str:
    if store is not None:
        for form in {str(store), str(store.expanduser()), str(store.resolve())}:
            message = message.replace(form, "the store")
    return message


def explain(exc: EvidenceError, store: Path | None = None) -> StoreProblem:
    """The words for a store that did not open."""
    detail = _without_paths(str(exc), store)
    if isinstance(exc, StoreLockedError):
        return StoreProblem(
            "The evidence store is busy",
            "Another program is writing to the store (a load, or a second explorer), and only one may at a time.",
            "Try again when it has finished; nothing is lost by waiting.",
        )
    if isinstance(exc, StoreCorruptError):
        return StoreProblem(
            "The evidence store cannot be read",
            detail,
            "Ask the person who runs this explorer to restore the store from its backup "
            "or to start it on a new store directory; trying again will not help until then.",
        )
    if isinstance(exc, StoreUnavailableError):
        return StoreProblem("The evidence server cannot be reached", detail, "Try again in a moment.")
    return StoreProblem("The evidence store cannot be opened", detail, "Try again in a moment.")


def _local_store() -> Path | None:
    """The embedded store's directory, kept out of what the page says; ``None`` for a Neo4j server."""
    settings = get_settings()
    return None if settings.neo4j_uri else settings.store


def require_store() -> EvidenceStore:
    """The shared store; if it cannot be opened, the explanation and a retry button, and the page stops."""
    try:
        store = get_store()  # a failure is not cached: the next run tries again
    except EvidenceError as exc:
        problem = explain(exc, _local_store())
    else:
        return _recovered(store)
    st.title(problem.headline)
    st.error(md_escape(problem.detail))
    st.write(problem.advice)
    if st.button("Try again", type="primary", key="evx_store_retry"):
        st.rerun()
    st.stop()
    raise AssertionError("unreachable: st.stop() ends the run")


def _recovered(store: EvidenceStore) -> EvidenceStore:
    """Say once per session what opening the store recovered from: documents of an interrupted load are missing."""
    if store.recovered and not st.session_state.get(_TOLD_RECOVERED):
        st.session_state[_TOLD_RECOVERED] = True
        for message in store.recovered:
            st.warning(md_escape(_without_paths(message, _local_store())))
    return store
