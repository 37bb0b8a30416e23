"""Findings computed in the engine from the events of a workspace (and a map): one module a finding."""
