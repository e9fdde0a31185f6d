"""Docflow: document routing for Vietnamese local government."""
