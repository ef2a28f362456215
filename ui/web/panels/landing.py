"""The first page: what the store holds, each item one click from its view."""

from __future__ import annotations

import streamlit as st

from graph.overview import cached_overview
from graph.store.base import EvidenceStore
from ui.web.viewmodel import ViewState, md_escape, plural

__all__ = ["render_landing"]

_SHOWN_PER_TYPE = 8
#: A document type as a researcher calls it (the stored ``source_type`` is a loader's name for it).
DOCUMENT_TYPES = {
    "ctgov": "ClinicalTrials.gov records",
    "pubmed": "PubMed articles",
    "trial_digest": "Trial summaries",
    "curated": "Curated examples",
    "drug-disease report": "Drug–disease reports",
    "other": "Other documents",
}


def render_landing(store: EvidenceStore, state: ViewState) -> None:
    """Counts, the drugs with the most evidence and the documents by type, as buttons that open them."""
    overview = cached_overview(store)
    stats = overview.stats
    if not stats.total_nodes:
        st.info("The store is empty. Add documents (the page on the left), or run `evx load --samples`.")
        return
    c = st.columns(5)
    for col, (label, kind) in zip(
        c,
        (
            ("Documents", "Source"),
            ("Studies", "Study"),
            ("Guidelines", "Guideline"),
            ("Drugs", "Drug"),
            ("Outcomes", "Outcome"),
        ),
        strict=True,
    ):
        col.metric(label, f"{stats.nodes.get(kind, 0):,}")
    left, right = st.columns(2, gap="large")
    with left:
        st.subheader("Drugs with the most evidence")
        if not overview.drugs:
            st.caption("No drug is linked to an outcome yet.")
        for drug in overview.drugs:
            st.button(
                md_escape(
                    f"{drug.name} — {plural(drug.targets, 'outcome or condition', 'outcomes and conditions')}, "
                    f"{drug.supporting} supporting, {drug.contradicting} contradicting"
                ),
                key=f"evx_land_drug_{drug.id}",
                on_click=state.start,
                args=(drug.id,),
                width="stretch",
            )
    with right:
        st.subheader("Documents by type")
        for kind, docs in overview.documents_by_type().items():
            st.markdown(f"**{md_escape(DOCUMENT_TYPES.get(kind, kind))}** ({plural(len(docs), 'document')})")
            for doc in docs[:_SHOWN_PER_TYPE]:
                when = f" · retrieved {doc.retrieved}" if doc.retrieved else ""
                st.button(
                    md_escape(doc.name + when),
                    key=f"evx_land_doc_{doc.id}",
                    on_click=state.start,
                    args=(doc.id,),
                    width="stretch",
                )
            if len(docs) > _SHOWN_PER_TYPE:
                st.caption(f"and {plural(len(docs) - _SHOWN_PER_TYPE, 'more document')}: search for them by name")
