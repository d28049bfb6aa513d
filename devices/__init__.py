"""Bedside tablets, their settings and their login tokens."""
