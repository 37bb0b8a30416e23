"""Interchange: other tools' formats in and out of cxmap maps (Mermaid journey diagrams first)."""
