"""accueil: pooled telephone answering that gives every client employee a personal receptionist."""

__version__ = "0.1.0"
