"""Every source on /benchmarks/ links or says why not (issue 11 item 8): conflict entries take
an optional ``url`` (validated like a figure's) and ``url_note``; the committed files give
every figure and every conflict an address or a stated reason."""

from __future__ import annotations

from community_metrics.analyse.benchmarks import (
    NO_LINK,
    benchmark_groups,
    load_benchmarks,
    parse_study,
)

HEAD = "study: S\nshort: S\nyear: 2020\npopulation: p\nfigures:\n"


def _study(figure: str):
    return parse_study(HEAD + figure, "s.yml")


def test_every_committed_source_has_an_address_or_says_why_not() -> None:
    missing = []
    for study in load_benchmarks():
        for figure in study.figures:
            if not figure.url and not figure.url_note:
                missing.append(f"{study.id}: {figure.id}")
            for index, other in enumerate(figure.conflicts, 1):
                if not other.url and not other.url_note:
                    missing.append(f"{study.id}: {figure.id}, conflict {index}")
    assert missing == []


def test_the_2008_sources_that_had_no_link_now_link_or_say_so() -> None:
    study = next(s for s in load_benchmarks() if s.id == "deloitte-2008")
    figures = {f.id: f for f in study.figures}
    # the WSJ coverage as relayed (35% and "less than 25%")
    for ident in ("size-under-100", "size-over-1000"):
        assert figures[ident].conflicts[0].url == "https://blog.experientia.com/?p=4501"
    # the release text: a copy, and the page says it is one
    for ident in ("size-majority-under-500", "obstacle-engagement", "open-to-public"):
        figure = figures[ident]
        assert figure.source == "Deloitte release text" and figure.source_type == "primary"
        assert figure.url and "no copy of the release" in (figure.url_note or "")
    assert figures["success-metric"].url
    assert figures["obstacle-engagement"].conflicts[0].url.startswith("https://gilbane.com/")
    # no address known: said so, not invented
    assert figures["age-under-1-year"].conflicts[0].url is None
    assert "no public copy found" in figures["age-under-1-year"].conflicts[0].url_note


def test_conflict_url_is_checked_like_the_figures() -> None:
    _s, problems = _study(
        "  - {id: a, figure: f, value: 5, value_text: 5%, source: s, source_type: primary,\n"
        "     conflicts: [{value: 6, value_text: 6%, source: t, source_type: secondary,\n"
        "                  url: 'javascript:alert(1)'}]}\n"
    )
    assert any("conflict 1" in p and "'url' must start with https://" in p for p in problems)
    study, problems = _study(
        "  - {id: a, figure: f, value: 5, value_text: 5%, source: s, source_type: primary,\n"
        "     url_note: why,\n"
        "     conflicts: [{value: 6, value_text: 6%, source: t, source_type: secondary,\n"
        "                  url: 'https://example.org/t', url_note: a copy}]}\n"
    )
    assert problems == []
    other = study.figures[0].conflicts[0]
    assert (other.url, other.url_note) == ("https://example.org/t", "a copy")
    assert study.figures[0].url_note == "why"


def test_rows_say_no_public_copy_found_where_nothing_is_known() -> None:
    study, _ = _study(
        "  - {id: a, figure: f, value: 5, value_text: 5%, source: s, source_type: primary,\n"
        "     conflicts: [{value: 6, value_text: 6%, source: t, source_type: secondary}]}\n"
        "  - {id: b, figure: g, value: 5, value_text: 5%, source: u, source_type: primary,\n"
        "     url: 'https://example.org/u'}\n"
    )
    first, second = benchmark_groups([study])[0].rows
    assert (first.source_link.url, first.source_link.note) == (None, NO_LINK)
    assert (first.conflicts[0].source.url, first.conflicts[0].source.note) == (None, NO_LINK)
    assert first.value == "5%; also published: 6% (t)"  # the plain text is unchanged
    assert (second.source_link.url, second.source_link.note) == ("https://example.org/u", "")
