"""Template views, one module per area. Thin: they parse a form, call a service or selector,
and render; every rule lives in the services the API calls too."""
