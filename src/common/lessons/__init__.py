"""The chapters' computations: what a lesson measures or demonstrates, built on the core (no plotting)."""
