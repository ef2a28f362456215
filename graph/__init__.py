"""Evidence Explorer's core: the evidence model, the stores, queries, exports.

Data flows one way: loaders → :class:`~graph.model.Document` records → a store →
queries → a networkx subgraph → the explorer and the exports.
"""

from graph.errors import EvidenceError
from graph.model import Document, Edge, EdgeType, Node, NodeKind, Provenance
from graph.settings import Settings
from graph.store import EvidenceStore, open_store
from graph.vocabulary import Vocabulary

__all__ = [
    "Document",
    "Edge",
    "EdgeType",
    "EvidenceError",
    "EvidenceStore",
    "Node",
    "NodeKind",
    "Provenance",
    "Settings",
    "Vocabulary",
    "open_store",
]
