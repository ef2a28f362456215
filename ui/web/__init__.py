"""The Streamlit explorer: the entry script, its screens and the panels they share.

The pages live in ``screens/``, not ``pages/``: Streamlit treats a ``pages/`` folder beside the
entry script as its own multipage app and then draws none of ours.
"""
