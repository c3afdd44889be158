"""Search indexes: Pagefind for the served site, the offline index for file://."""
