"""Video meetings for tablets, their commands and their lifecycle."""
