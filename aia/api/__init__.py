"""The REST API, version 1 (docs/api.md): thin DRF views over the services and selectors.

Each view parses its input, fetches through ``aia.selectors``, calls one service and renders
the result. Every error answers with the envelope ``{"message": ..., "extra": {...}}``.
"""
