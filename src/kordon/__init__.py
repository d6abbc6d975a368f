"""Kordon: records, sharing and analysis for drug-control, customs, border, police and prison agencies."""
