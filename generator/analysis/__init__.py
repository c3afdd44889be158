"""Analysis of the papers' text: TF-IDF, topics and tags, related papers, the map layout."""
