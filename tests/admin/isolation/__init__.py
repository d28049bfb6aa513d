"""Helpers of the admin tenant-isolation sweep."""
