"""GIN indexes for the case search on PostgreSQL (``aia.search``).

Each index is on the very expression the search matches a kind of row with, so PostgreSQL
keeps the words of every row indexed as the row is written, in the same transaction, and a
search looks them up instead of reading every row. They are added here rather than in the
models' ``Meta``: SQLite has no full-text search, and an index declared on a model would be
created there too whenever a later migration rebuilds the table. The expressions are written
out, not imported from ``aia.search``, so that this migration does today what it did when
written; a test checks that the search still uses them.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

CONFIG = "english"
# model: (index name, the fields matched together, their weight in the rank)
INDEXES = {
    "case": ("case_search", ("reference", "title"), "A"),
    "situation": ("situation_search", ("name", "country_code"), "A"),
    "section": (
        "section_search",
        ("analysis", "key_evidence", "groups_at_risk", "likely_perpetrators"),
        "D",
    ),
    "option": (
        "option_search",
        ("title", "description", "target_actors", "mitigation", "rationale"),
        "D",
    ),
    "comment": ("comment_search", ("text",), "D"),
    "trigger": ("trigger_search", ("reference", "title"), "B"),
}


def _indexes(apps):
    for model_name, (name, fields, weight) in INDEXES.items():
        index = GinIndex(SearchVector(*fields, config=CONFIG, weight=weight), name=name)
        yield apps.get_model("aia", model_name), index


def add_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model, index in _indexes(apps):
        schema_editor.add_index(model, index)


def remove_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model, index in _indexes(apps):
        schema_editor.remove_index(model, index)


class Migration(migrations.Migration):
    dependencies = [
        ("aia", "0016_sources"),
    ]

    operations = [
        migrations.RunPython(add_indexes, remove_indexes, elidable=False),
    ]
