"""One module per command; each registers its own arguments and runs the work of one stage."""
