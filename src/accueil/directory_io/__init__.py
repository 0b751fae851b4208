"""Directory files: reading YAML and CSV into located records, validating them, writing them back.

Pure code (no database): the services in ``accueil.services.onboarding`` and
``accueil.services.exporting`` give it what the database knows and apply what it decides.
"""
