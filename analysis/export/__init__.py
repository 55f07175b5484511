"""Exports: tables (CSV, XLSX) written safely; see :mod:`analysis.export.tables`."""
