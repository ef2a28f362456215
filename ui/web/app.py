"""Streamlit entry script: page setup and navigation only; each page lives in its own module.

No page icons: Streamlit turns the current page's icon into the favicon, fetched from Google's
font CDN for Material icons, and the explorer must work without internet.

Run with ``evx app`` (it starts ``python -m ui.web.serve run ui/web/app.py``: Streamlit with its
connections sending at once; ``streamlit run ui/web/app.py`` with ``EVX_STORE`` set works too, slower).
"""

from __future__ import annotations

import streamlit as st

from ui.web.screens import cypher, explore, export, paths, upload
from ui.web.state import get_settings
from ui.web.store_status import require_store

st.set_page_config(page_title="Evidence Explorer", layout="wide")
require_store()  # a store that cannot be opened gets an explanation and a retry, not a traceback

pages = [
    st.Page(explore.render, title="Explore", url_path="explore", default=True),
    st.Page(paths.render, title="Paths", url_path="paths"),
    st.Page(cypher.render, title="Cypher", url_path="cypher"),
    st.Page(export.render, title="Export", url_path="export"),
]
if not get_settings().read_only:  # `evx --read-only app`: another process writes; this explorer only reads
    pages.append(st.Page(upload.render, title="Add documents", url_path="upload"))
navigation = st.navigation(
    pages,
    position="top",  # pages in the top bar: the graph and the evidence get the whole width
)
navigation.run()
