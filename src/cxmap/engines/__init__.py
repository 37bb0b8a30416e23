"""Engines that run the analytics; `cxmap.engine.connect` picks one from the engine table (table.py)."""
