"""Benchmarks of Community Pulse: ``invoke bench`` or ``python -m bench`` runs them all."""
