"""The cadres app's pages, a module per sub-domain."""
