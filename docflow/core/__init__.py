"""Small building blocks every Docflow package may use: ids, text folding, domain errors."""
