"""Folding text for matching names, without moving a single character.

Matching runs over a folded copy of the text that has exactly the text's length, so a
match in the copy is the same span in the original (quotes and spans stay verbatim).
Names are folded the same way and their spaces collapsed.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["disease_forms", "dutch_forms", "fold", "key", "singular_forms", "variants"]

_SPACE_LIKE = "-‐‑‒–—/\u00a0\t\n\r\f\v_"


def _table() -> dict[int, str]:
    table = {ord(c): " " for c in _SPACE_LIKE}
    # lower case only where it keeps one character per character (str.lower('İ') has two)
    for code in range(0x20, 0x3000):
        c = chr(code)
        low = c.lower()
        if low != c and len(low) == 1:
            table[code] = low
        # a letter with accents or a diaeresis as its bare letter ("isotretinoïne", "Sjögren", "Ménière"):
        # one character for one, so spans stay verbatim
        base = unicodedata.normalize("NFD", table.get(code, c))
        bare = len(base) > 1 and base[0].isascii() and base[0].isalpha()
        if bare and all(unicodedata.combining(m) for m in base[1:]):
            table[code] = base[0]
    return table


_TABLE = _table()


def fold(text: str) -> str:
    """Lower case, dashes, slashes and line breaks as spaces; ``len(fold(t)) == len(t)``."""
    return text.translate(_TABLE)


def key(term: str) -> str:
    """A name as the matcher looks it up: folded, one space between words."""
    return " ".join(fold(term).split())


#: American spellings (MeSH) and the British ones abstracts also use.
_BRITISH = (
    (r"(?<=[a-z])emia\b", "aemia"),
    (r"\bhem(?=[oa])", "haem"),
    (r"\bedema", "oedema"),
    (r"leuk", "leuc"),
    (r"isch?em", "ischaem"),
    (r"(?<=[a-z]{3})or\b", "our"),
    (r"\besophag", "oesophag"),
    (r"(\b|stilb)estr(?=[aoi])", r"\1oestr"),
    (r"(?<=[a-z])yze\b", "yse"),
    (r"sulf", "sulph"),
    (r"rrhea", "rrhoea"),
    (r"(?<=[a-z])emic\b", "aemic"),
    (r"\b(par|an)esth", r"\1aesth"),
)
#: Organ nouns in MeSH names and the adjectives abstracts write them with ("Heart Failure": cardiac failure).
_ORGANS = (
    (r"\bheart\b", "cardiac"),
    (r"\bkidney\b", "renal"),
    (r"\bliver\b", "hepatic"),
    (r"\blung\b", "pulmonary"),
    (r"\bstomach\b", "gastric"),
    (r"\bbrain\b", "cerebral"),
    (r"\beye\b", "ocular"),
    (r"\bmuscle\b", "muscular"),
    (r"\bmuscular\b", "muscle"),
    (r"\burinary bladder\b", "bladder"),
)
#: Combining forms written with a hyphen as often as without ("hepato-toxicity", "thrombo-embolism"); the folded
#: text has a space where the hyphen was.
_PREFIX = re.compile(
    r"\b(cardio|hepato|nephro|neuro|thrombo|myelo|oto|gastro|immuno|hyper|hypo|leuko|leuco|haemato|hemato)"
    r"(?=[a-z]{4})"
)
#: What a disease named after a person is ("Wernicke Encephalopathy"), so that "Wernicke's encephalopathy" is it.
_EPONYMOUS = frozenset(
    ("syndrome", "disease", "encephalopathy", "lymphoma", "sarcoma", "palsy", "anomaly", "ulcer", "tumor", "paralysis")
)
_ADJECTIVAL = ("ic", "al", "ar", "ous", "ive", "ed", "oid", "ory", "ary", "ile", "ing")
_INVERTED = re.compile(r"^([^,]+), ([^,]+)$")
#: "Anemia, Hemolytic, Autoimmune": autoimmune hemolytic anemia.
_INVERTED3 = re.compile(r"^([^,]+), ([^, ]+), ([^, ]+)$")


def variants(term: str) -> set[str]:
    """Keys a name is written as: itself, MeSH's inverted form undone, plural forms.

    "Arthritis, Rheumatoid" → "rheumatoid arthritis"; "Diabetes Mellitus, Type 2" →
    "type 2 diabetes mellitus"; "seizure" → "seizures"; "artery" → "arteries".
    """
    base = key(term)
    if not base:
        return set()
    forms = {base}
    m = _INVERTED.match(base)
    if m and not m.group(2).startswith(("and ", "or ")):
        forms.add(f"{m.group(2)} {m.group(1)}")
    m = _INVERTED3.match(base)
    if m:  # "Death, Sudden, Cardiac": sudden cardiac death as well
        forms.add(f"{m.group(3)} {m.group(2)} {m.group(1)}")
        forms.add(f"{m.group(2)} {m.group(3)} {m.group(1)}")
    for form in list(forms):  # "Fanconi Syndrome": fanconi's syndrome; "Lymphoma, Non-Hodgkin": non-hodgkin's lymphoma
        words = form.split(" ")
        name = words[-2] if len(words) >= 2 else ""
        if words[-1] in _EPONYMOUS and name.isalpha() and len(name) >= 4 and not name.endswith(_ADJECTIVAL):
            forms.add(" ".join((*words[:-2], words[-2] + "'s", words[-1])))
    if " " in base:  # an organ's adjective only in a name of several words ("heart" alone is not "cardiac")
        for form in list(forms):
            for noun, adjective in _ORGANS:
                forms.add(re.sub(noun, adjective, form))
    for form in list(forms):
        forms.add(_PREFIX.sub(r"\1 ", form))
        first, _, rest = form.partition(" ")
        if rest and first.endswith("s") and not first.endswith(("ss", "us", "is", "'s")) and len(first) > 4:
            forms.add(f"{first[:-1]} {rest}")  # "Torsades de Pointes": torsade de pointes
    for form in list(forms):
        british = form
        for us, uk in _BRITISH:  # each spelling alone ("leukaemia") and all of them ("leucaemia")
            forms.add(re.sub(us, uk, form))
            british = re.sub(us, uk, british)
        forms.add(british)
    for form in list(forms):
        last = form.rsplit(" ", 1)[-1]
        if not last.isalpha() or len(last) < 4 or "," in form:
            continue
        if last.endswith("y") and last[-2:-1] not in "aeiou":
            forms.add(form[:-1] + "ies")
        elif last.endswith(("s", "x", "ch", "sh")):
            if not last.endswith("s"):
                forms.add(form + "es")
        else:
            forms.add(form + "s")
    return forms


#: Dutch spellings of English (MeSH) disease names, each checked not to be an English word of its own:
#: "hypoglycemia": hypoglykemie, "anemia": anemie, "neuropathy": neuropathie, "thrombosis": trombose is not
#: made (th → t is not safe), "acidosis": acidose (only long words: "ketose", "mitose" are English).
_DUTCH_DISEASE = (
    (re.compile(r"(?<=[a-z]{2})emia$"), "emie"),
    (re.compile(r"(?<=[a-z]{2})pathy$"), "pathie"),
    (re.compile(r"(?<=[a-z]{4})osis$"), "ose"),
)
_GLYC = re.compile(r"glyc(?=em)")


def dutch_forms(form: str, kind: str) -> set[str]:
    """Dutch spellings of a folded English name: drugs "metformin": metformine; diseases as above.

    Only the endings and the one c → k ("glyc(a)emie" → "glykemie") Dutch medical writing uses
    systematically; the variants are measured not to cost English recognition (``make eval``).
    """
    words = form.split(" ")
    if kind == "Drug":
        if not all(w.isalpha() for w in words):
            return set()
        dutch = [w + "e" if len(w) >= 5 and w.endswith("in") else w for w in words]
        return {" ".join(dutch)} - {form}
    last = words[-1]
    if not last.isalpha():
        return set()
    for pattern, ending in _DUTCH_DISEASE:
        if pattern.search(last):
            changed = pattern.sub(ending, last)
            out = {" ".join((*words[:-1], changed)), " ".join((*words[:-1], _GLYC.sub("glyk", changed)))}
            return out - {form}
    return set()


_PLURAL_END = ((re.compile(r"(?<=[a-z]{3})ies$"), "y"), (re.compile(r"(?<=[a-z]{3}[^su])s$"), ""))


def singular_forms(form: str) -> set[str]:
    """A disease name written in the singular where MeSH writes the plural: diabetic nephropathy, compartment syndrome."""
    words = form.split(" ")
    last = words[-1]
    if len(words) < 2 or not last.isalpha():
        return set()
    for pattern, ending in _PLURAL_END:
        if pattern.search(last):
            return {" ".join((*words[:-1], pattern.sub(ending, last)))}
    return set()


_SIS = re.compile(r"(?<=[a-z]{4}[ae])sis$")


def disease_forms(form: str) -> set[str]:
    """How abstracts (and CDR's annotators) name a MeSH disease that MeSH writes otherwise.

    "Liver Neoplasms": liver tumors, liver cancer; "Hematologic Diseases": hematologic toxicity, "Cerebellar
    Diseases": cerebellar dysfunction; "Hyperkinesis": hyperkinesia.  Used only where no name is written so.
    """
    words = form.split(" ")
    last, head = words[-1], " ".join(words[:-1])
    out: set[str] = set()
    if head and last in ("neoplasm", "neoplasms"):
        out.update(f"{head} {w}" for w in ("tumor", "tumors", "tumour", "tumours", "cancer", "cancers"))
    elif head and last == "diseases" and head.replace(" ", "").isalpha():
        out.update(f"{head} {w}" for w in ("toxicity", "toxicities", "dysfunction", *_DISEASE_NOUNS))
        out.update(_combining_forms(words[:-1]))
    elif head and last == "disorders" and head.replace(" ", "").isalpha():
        for named in {head, _NOUN_ADJECTIVE.get(head, head)}:  # "Cognition Disorders": cognitive impairment
            out.update(f"{named} {w}" for w in _DISORDER_NOUNS)
            out.add(f"impaired {named}")
    elif _SIS.search(last):
        out.add(" ".join((*words[:-1], last[:-3] + "sia")))
    return out | paraphrases(form)


#: What abstracts call an organ's disease besides "disease" ("Kidney Diseases": renal damage, renal impairment).
_DISEASE_NOUNS = ("damage", "impairment")
#: What abstracts call a function's disorder ("Memory Disorders": memory impairment, memory deficits).
_DISORDER_NOUNS = (
    "impairment",
    "impairments",
    "deficit",
    "deficits",
    "disturbance",
    "disturbances",
    "dysfunction",
    "dysfunctions",
)
_NOUN_ADJECTIVE = {"cognition": "cognitive", "vision": "visual"}
#: An organ's Greek combining form, for "<organ> Diseases" as "<form>pathy" ("Optic Nerve Diseases": optic neuropathy).
_COMBINING = {
    "nerve": "neuro",
    "retinal": "retino",
    "kidney": "nephro",
    "renal": "nephro",
    "liver": "hepato",
    "hepatic": "hepato",
    "heart": "cardio",
    "cardiac": "cardio",
    "muscular": "myo",
    "muscle": "myo",
    "brain": "encephalo",
    "joint": "arthro",
    "lung": "pneumo",
    "spinal cord": "myelo",
}


def _combining_forms(organ: list[str]) -> set[str]:
    """The organ's disease by its combining form: "Optic Nerve Diseases" → optic neuropathy, retinopathy."""
    for size in (2, 1):
        if len(organ) >= size and " ".join(organ[-size:]) in _COMBINING:
            stem = _COMBINING[" ".join(organ[-size:])]
            lead = " ".join(organ[:-size])
            return {f"{lead} {stem}{end}".strip() for end in ("pathy", "pathies")}
    return set()


#: Nouns of a disease's name and their participle: "QT prolongation" is prolonged QT, "memory impairment" impaired memory.
_NOMINAL = {"prolongation": "prolonged", "impairment": "impaired", "enlargement": "enlarged", "elevation": "elevated"}
_PARTICIPLE = {v: k for k, v in _NOMINAL.items()}
#: Heads written before "of (the) X" as often as after X: "prolongation of the QT interval" is QT interval prolongation.
_OF_HEADS = frozenset(
    (
        *_NOMINAL,
        "deficit",
        "deficits",
        "loss",
        "disturbance",
        "disturbances",
        "dysfunction",
        "damage",
        "injury",
        "toxicity",
        "cancer",
        "carcinoma",
        "inflammation",
        "failure",
    )
)
_OF = re.compile(r"^([a-z]+) of (?:the )?((?:[a-z0-9]+ ){0,2}[a-z0-9]+)$")
_LETTERS = re.compile(r"\b([a-z]) (?=[a-z]\b)")


def paraphrases(form: str) -> set[str]:
    """The same disease in the word orders abstracts use, for a folded name of several words.

    "q t prolongation" (Q-T prolongation) → qt prolongation, prolonged qt, prolonged q t; "prolongation of the qt
    interval" → qt interval prolongation; "impairment of memory" → memory impairment → impaired memory.
    """
    out = {form}
    if _LETTERS.search(form):  # "Q-T": the letters also written together, QT
        out.add(_LETTERS.sub(r"\1", form))
    for name in list(out):
        m = _OF.match(name)
        if m and m.group(1) in _OF_HEADS:
            out.add(f"{m.group(2)} {m.group(1)}")
    for name in list(out):
        words = name.split(" ")
        if len(words) < 2 or len(words) > 4:
            continue
        if words[-1] in _NOMINAL:
            out.add(" ".join((_NOMINAL[words[-1]], *words[:-1])))
        elif words[0] in _PARTICIPLE:
            out.add(" ".join((*words[1:], _PARTICIPLE[words[0]])))
    out.discard(form)
    return out


def is_abbreviation(term: str) -> bool:
    """Short and with capitals past its first letter ("NO", "MS", "LIDs"): matched only as written."""
    return len(term) <= 6 and any(c.isupper() for c in term[1:])
