"""The talent app's import sheets and exports, a module per sheet."""
