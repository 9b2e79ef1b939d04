"""Triage: classify, assess risk, relate and route cases."""
