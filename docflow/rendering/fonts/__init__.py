"""Data only: the bundled Liberation Serif fonts and their licence (OFL.txt).

An importable package so that setuptools' package-data rules ship these files in wheels.
"""
