"""Regions (ARS), GHT and establishments identified by FINESS numbers."""
