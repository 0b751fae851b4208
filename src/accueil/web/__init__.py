"""The pages people use, served by the API's app (``web/pages.py`` installs them): Jinja2
templates, htmx 2 shipped in ``static/``, English and French (``locale/``). Pages call services
and the API's guards, never the database directly."""
