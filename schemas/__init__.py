"""Pandera models: one per table boundary of the pipeline. Column descriptions live here."""
