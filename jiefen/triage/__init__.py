"""Triage: classify, assess risk, relate and route cases (DESIGN.md §6)."""
