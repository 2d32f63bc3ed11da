"""The versioned JSON API (/api/v1): bearer tokens, problem+json errors, an OpenAPI document."""
