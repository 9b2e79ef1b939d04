"""Embedded default: one machine, SQLite in the data folder, no services."""

from jiefen.settings.base import *  # noqa: F403
