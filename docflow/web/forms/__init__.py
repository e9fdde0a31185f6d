"""Django forms of the web interface; their errors are shown beside their fields."""
