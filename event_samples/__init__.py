"""Realistic sample events for serverless triggers: templates, builders, validation.

Depends on nothing else in svl-tui, so it can be used on its own.
"""
