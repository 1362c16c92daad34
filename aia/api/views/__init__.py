"""API views, one module per concept and one class per action."""
