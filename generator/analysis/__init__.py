"""Analysis of the papers' text: TF-IDF, topics and tags, related papers, the map layout.

numpy, scipy and scikit-learn are imported inside the functions that use them: they take 0.6 s
to load, which `check`, `new` and `--help` need not pay.
"""
