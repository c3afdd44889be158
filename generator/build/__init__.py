"""The build: pipeline, page keys, manifest of the last build, page writers, the offline bundle."""
