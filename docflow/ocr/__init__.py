"""Vietnamese OCR of scanned documents: pure functions, bytes in, text and fields out.

At the level of ``rendering``: no Django models, no database. ``images`` turns scanned images
into one PDF, ``engine`` adds a text layer to a scanned PDF with Tesseract (``vie``), ``fields``
reads the first page's number, notation, place and date, issuing agency, type name and subject.
"""
