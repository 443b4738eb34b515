"""The registry app's pages, a module per sub-domain."""
