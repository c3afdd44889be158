"""Content: the paper file (model, front matter, validation), site.yaml, and `check`."""
