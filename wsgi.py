"""WSGI entry point: `gunicorn wsgi:app` (production sets CAREAPP_ENV=production)."""

from careapp import create_app

app = create_app()
