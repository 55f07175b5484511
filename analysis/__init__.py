"""Evaluation of physical-activity social prescribing pilots.

The data flows one way: inputs → ``ingest`` → the DuckDB ``store`` → ``model`` (staging →
joined → marts) → metrics and statistics → dashboard pages, exports and the ``pilot`` CLI.
"""
