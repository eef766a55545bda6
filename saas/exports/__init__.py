"""Shared helpers for files users download (CSV safe to open in a spreadsheet)."""

from saas.exports.csv_safe import safe_cell, write_csv

__all__ = ["safe_cell", "write_csv"]
