"""Presentation of results: terminal tables (and, later, pictures and feeds)."""
