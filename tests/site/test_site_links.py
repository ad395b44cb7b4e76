"""rel="noopener noreferrer" on external links inside post bodies."""

from __future__ import annotations

import pytest
from pulse_site.links import add_noopener, is_external


@pytest.mark.parametrize(
    ("href", "external"),
    [
        ("https://example.org/x", True),
        ("http://example.org", True),
        ("//cdn.example.org/x.js", True),
        ("../about/", False),
        ("/dashboard/", False),
        ("#section", False),
        ("mailto:someone@example.org", False),
        ("https://pulse.example.org/posts/x/", False),  # our own SITEURL
    ],
)
def test_is_external(href: str, external: bool) -> None:
    assert is_external(href, "https://pulse.example.org") is external


def test_external_link_gets_rel() -> None:
    html = '<p>See <a href="https://example.org/a?b=1&amp;c=2">this</a>.</p>'
    result = add_noopener(html)
    assert 'rel="noopener noreferrer"' in result
    assert 'href="https://example.org/a?b=1&amp;c=2"' in result  # entities stay encoded
    assert result.endswith(">this</a>.</p>")


def test_internal_link_is_untouched() -> None:
    html = '<a href="../about/">About</a>'
    assert add_noopener(html) == html


def test_existing_rel_is_kept_and_completed() -> None:
    result = add_noopener('<a rel="nofollow" href="https://example.org">x</a>')
    assert 'rel="nofollow noopener noreferrer"' in result


def test_attribute_values_are_escaped_when_rewritten() -> None:
    result = add_noopener("<a title='say \"hi\" &lt;b&gt;' href='https://example.org'>x</a>")
    assert 'title="say &quot;hi&quot; &lt;b&gt;"' in result
    assert "<b>" not in result


def test_several_links_and_uppercase_tags() -> None:
    html = '<A HREF="https://a.example">a</A> <a href="/x">x</a> <a href="http://b.example">b</a>'
    result = add_noopener(html)
    assert result.count('rel="noopener noreferrer"') == 2
    assert '<a href="/x">' in result
