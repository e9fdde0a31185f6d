"""Restructuring (sắp xếp đơn vị hành chính): agencies merged into a successor, with their open
work, files, people and codes. Above ``records``: a merger moves work files too."""
