"""PDF reports (issue #12): plain data (data.py) → Jinja → WeasyPrint (render.py)."""
