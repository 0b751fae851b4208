"""The demo operator: its directory, its personal settings, its scripts and its simulated day.

Above the services it uses (it loads data through the import path and the services' write
functions) and below the CLI that shows it; nothing in ``core/`` or ``services/`` imports it.
"""
