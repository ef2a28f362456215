"""A small open vocabulary for literature tests: real MeSH ids, names from the CDR training set."""

from __future__ import annotations

from graph.vocab_store import Entry
from loaders.text.normal import key
from loaders.text.recognize import Recognizer

CONCEPTS = {
    "D010634": ("Phenobarbital", "Drug", ["phenobarbital"]),
    "D004409": ("Dyskinesia, Drug-Induced", "Condition", ["dyskinesia", "dyskinesias", "LID"]),
    "D007980": ("Levodopa", "Drug", ["levodopa", "L-DOPA"]),
    "D006505": ("Hepatitis", "Condition", ["hepatitis"]),
    "D001569": ("Benzodiazepines", "Drug", ["benzodiazepines"]),
    "D003424": ("Crohn Disease", "Condition", ["Crohn's disease"]),
    "D005672": ("Fusidic Acid", "Drug", ["fusidic acid"]),
    "D012293": ("Rifampin", "Drug", ["rifampin"]),
    "D005921": ("Glomerulonephritis", "Condition", ["glomerulonephritis"]),
    "D014397": ("Tuberculosis, Pulmonary", "Condition", []),
    "D010300": ("Parkinson Disease", "Condition", ["Parkinson's disease", "PD"]),
    "D007022": ("Hypotension", "Condition", ["hypotension"]),
    "D007741": ("Labetalol", "Drug", ["labetalol"]),
    "D009569": ("Nitric Oxide", "Drug", ["NO", "nitric oxide"]),
    "D012640": ("Seizures", "Condition", ["seizures", "seizure", "convulsions"]),
    "D002220": ("Carbamazepine", "Drug", ["carbamazepine"]),
}
TREES = {"D012640": ("C10.597.742", "C23.888.592.742"), "D004409": ("C10.228.662.262.500", "C25.100.468")}


def entries() -> list[Entry]:
    out = []
    for mesh, (name, kind, terms) in CONCEPTS.items():
        for term in {name, *terms}:
            cased = term if len(term) <= 6 and any(c.isupper() for c in term[1:]) else None
            out.append(Entry(key(term), mesh, name, kind, cased, 5 if term != name else 0))
    return out


def recognizer() -> Recognizer:
    return Recognizer(entries(), trees=TREES)
