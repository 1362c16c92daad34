"""A render pauses Python's cyclic garbage collector and leaves it as it found it."""

import gc

import pytest

from aia.reports.rendering import ReportHTML, html_to_pdf

HTML = "<!DOCTYPE html><html lang='en-GB'><title>t</title><p>text</p></html>"


@pytest.fixture
def gc_enabled_during_render(monkeypatch):
    """Record whether the collector was enabled while WeasyPrint was rendering."""
    seen = []
    ours = ReportHTML._ua_stylesheets

    def spy(self, forms=False):
        seen.append(gc.isenabled())
        return ours(self, forms)

    monkeypatch.setattr(ReportHTML, "_ua_stylesheets", spy)
    return seen


def test_the_collector_is_paused_during_a_render_and_enabled_after(gc_enabled_during_render):
    assert gc.isenabled()
    html_to_pdf(HTML)
    assert gc_enabled_during_render == [False]
    assert gc.isenabled()


def test_a_collector_disabled_by_the_caller_stays_disabled(gc_enabled_during_render):
    gc.disable()
    try:
        html_to_pdf(HTML)
        assert not gc.isenabled()
    finally:
        gc.enable()
    assert gc_enabled_during_render == [False]


def test_the_collector_is_enabled_again_when_a_render_fails(monkeypatch):
    def fail(self, forms=False):
        raise RuntimeError("render failed")

    monkeypatch.setattr(ReportHTML, "_ua_stylesheets", fail)
    with pytest.raises(RuntimeError, match="render failed"):
        html_to_pdf(HTML)
    assert gc.isenabled()


def test_the_render_leaves_no_cyclic_garbage_behind():
    html_to_pdf(HTML)
    # The pause ends with a collection of the young generation, which holds all of it.
    assert gc.collect(0) == 0
