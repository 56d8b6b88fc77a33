"""Methodical support of teachers: requests for help, diagnosed deficits and individual routes."""
