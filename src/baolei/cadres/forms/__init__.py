"""The cadres app's forms, a module per sub-domain: input checks only, the rules are in
the services."""
