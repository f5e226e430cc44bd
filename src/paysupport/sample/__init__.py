"""Bundled sample data: a small merchant portfolio with disputes, declines and cases.

Loaded only by the command-line front end and the examples (reading files is their job).
"""
