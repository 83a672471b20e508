"""The shipped codebooks, installed with qcode as package data (see setup.py)."""
