"""Demo data for a development machine: users for every role and cases built from real
public-record triggers, walked to their states through the real services.

``content`` holds the data (the users here, the cases in ``cases/*.yaml``); ``seed`` does the
walking. ``manage.py seed_demo`` is the way in; see docs/demo.md.
"""
