"""The store shared by every session, and each session's view state (synced with the URL)."""

from __future__ import annotations

import streamlit as st

from graph.settings import Settings
from graph.store import EvidenceStore, open_store
from ui.web.viewmodel import ViewState, decode_params, encode_params

__all__ = ["get_settings", "get_store", "sync_url", "view_state"]

_VIEW = "evx_view"


@st.cache_resource(show_spinner=False)
def get_store() -> EvidenceStore:
    """One store per server process: the embedded store allows one writer, and this is it."""
    return open_store(get_settings())


def get_settings() -> Settings:
    """The settings the app was started with (``evx app`` passes them in the environment)."""
    return Settings.from_env()


def view_state() -> ViewState:
    """This session's view; a fresh session starts from the link it was opened with."""
    if _VIEW not in st.session_state:
        params = {key: st.query_params.get_all(key) for key in st.query_params}
        st.session_state[_VIEW] = decode_params(params)
    return st.session_state[_VIEW]


def sync_url(state: ViewState) -> None:
    """Write the view into the query parameters so the address bar is a shareable link."""
    wanted = encode_params(state)
    current = {key: st.query_params.get_all(key) for key in st.query_params}
    if current != wanted:
        st.query_params.from_dict(wanted)
