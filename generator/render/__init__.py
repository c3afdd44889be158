"""Rendering: Jinja and Markdown, SVG charts from plain data, exports and citations."""
