"""What every API endpoint shares: the error contract, parsers, request ids, docs."""
