"""PDF documents of the care pathway (ordonnance, end-of-care report): Jinja2 → WeasyPrint."""
