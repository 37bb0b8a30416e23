"""The web app and JSON API: share the map with the whole organisation, operate it from a browser."""
