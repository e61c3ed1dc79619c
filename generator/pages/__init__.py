"""Generated pages: tree pages, code pages, the code index and the home page tree list."""
