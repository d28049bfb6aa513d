"""REST endpoints for meetings: the tablets' (tablet.py) and the employees' (employee.py)."""
