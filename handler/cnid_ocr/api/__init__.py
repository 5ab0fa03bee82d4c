"""HTTP: routes, request validation, error responses."""
