"""Reading free text: sentences, figures, stances, names of concepts, and claims.

Every offset is absolute in the document text, so any span becomes a quote found verbatim
in the source; nothing reads a number the text does not state.

``sentences`` splits wrapped PDF text into sentence and clause spans, ``numbers`` reads
Dutch and English notation, ``figures`` the percentages, rates and changes a text states,
``stance`` whether a sentence reports or denies an outcome, ``language`` which language a
text is in; their word lists are in ``words.yaml`` (read by ``words``).  ``normal`` folds
text without moving characters, ``abbreviations`` finds the short forms a text defines,
``dutch`` reads Dutch compounds, ``recognize`` finds concepts over tens of thousands of
names, ``claims`` turns sentences that name a drug and a disease into adverse-effect claims.
"""
