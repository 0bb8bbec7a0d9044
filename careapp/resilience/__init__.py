"""Registers kept all year: cyber crisis exercises, continuity (PCA/PRA) and backups."""
