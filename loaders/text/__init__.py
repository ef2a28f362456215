"""Reading free text: names of concepts (dictionary matching), abbreviations, and claims.

``normal`` folds text without moving characters, ``abbreviations`` finds the short forms a
text defines, ``recognize`` finds concepts over tens of thousands of names, ``claims``
turns sentences that name a drug and a disease into adverse-effect claims with a stance.
"""
