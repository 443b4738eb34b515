"""The organisation app's pages, a module per sub-domain."""
