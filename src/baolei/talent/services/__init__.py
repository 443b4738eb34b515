"""The talent app's domain logic, a module per sub-domain: what the pages, the API,
the sheets and the commands call."""
