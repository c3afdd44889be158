"""Sources: readers for bibliographies and raw dumps, merging records into papers, import."""
