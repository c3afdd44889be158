"""litsite serve: the dev server, the watcher and live reload."""
