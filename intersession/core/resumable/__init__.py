"""Uploads that resume (the core of the tus 1.0 protocol, written here: see services.py)."""
