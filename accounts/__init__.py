"""Customers (hospitals, municipalities, resellers), employees and their access levels."""
