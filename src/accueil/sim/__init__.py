"""The digital twin: generated or replayed days played through the real routing engine.

``workload`` reads a workload file, ``generator`` and ``trace`` make a scenario, ``driver`` plays
it through ``accueil.core.routing``, ``metrics`` computes the figures, ``report`` writes them.
"""
