"""Mailfeed's composition root: settings, the CLI and process wiring.

The rings (`parsers`, `publisher`, `gateway`, `web`) and `templates` sit at the top of the
source tree, as the design asks, but install as `mailfeed.parsers`, `mailfeed.web`, … (a
setuptools `package-dir` mapping), so no generic top-level name lands in site-packages.
This package is the only place that reads settings; it hands each ring a narrow view.
"""
