"""The care pathway's JSON API and its request models."""
