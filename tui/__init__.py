"""The Textual face of svl-tui. Imports nothing heavy at package level."""
