"""The talent app's pages, a module per sub-domain."""
