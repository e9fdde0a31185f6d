"""The connector to the national document exchange axis (trục liên thông văn bản quốc gia).

``client.py`` speaks the axis's HTTP operations; ``packages.py`` is the one door to the edXML
format; ``services.py`` sends, polls and syncs the directory; ``selectors.py`` reads the log.
"""
