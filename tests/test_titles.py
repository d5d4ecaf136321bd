"""Titles: a headline-like first line of a text file (not the outlet's name, not boilerplate, at most
200 characters, a run-on lead cut at its first sentence), an HTML page's og:title, <h1> or <title>
without the site's name."""

import pytest

from stories.ingest import html_title, is_headline, lead_title, read_file, strip_site_name
from stories.models import Story

from .test_ingest import ingest

# The title each seed article gets, and its outlet when the article names one.
SEED_TITLES = {
    "000": ("Japan Deploys Troops to NATO to Support Ukraine", ""),
    # a 711-character lead paragraph: its first sentence, without the full stop
    "001": (
        "Japan expressed keen interest in joining NATO’s Security Assistance and Training for Ukraine "
        "(NSATU) mission based in Germany, signifying a significant strengthening of Japan-NATO ties",
        "",
    ),
    "002": ("Japan's NATO Role: Training & Aid In Ukraine", ""),
    # "...support to Ukraine.This decision has raised eyebrows...": cut where the sentence ends
    "003": (
        "In a surprising move that signals a potential shift in Japan’s foreign policy, the country has "
        "expressed its desire to join a NATO command that would provide support to Ukraine",
        "",
    ),
    # its first line "NextFin" names the outlet
    "004": ("Japan Embeds Military Officers in NATO Ukraine Mission to Deepen Strategic Ties", "NextFin"),
}


@pytest.mark.parametrize("prefix", sorted(SEED_TITLES))
def test_each_seed_article_gets_a_sensible_title(seeds, prefix):
    (path,) = seeds.glob(f"{prefix}_*.txt")
    (item,) = read_file(path)
    title, outlet = SEED_TITLES[prefix]
    assert (item.title, item.source) == (title, outlet)
    assert len(item.title) <= 200


@pytest.mark.django_db
def test_the_seed_folder_ingests_with_those_titles_without_naming_an_outlet(seeds):
    out, err, failed = ingest(seeds)
    assert failed is None, err
    assert "5 new" in out and "4 without an outlet filed under “Unattributed”, 2 new outlets to review" in out
    stories = {s.title: s.source.name for s in Story.objects.select_related("source")}
    assert stories == {title: outlet or "Unattributed" for title, outlet in SEED_TITLES.values()}
    lead = Story.objects.get(title=SEED_TITLES["001"][0])
    assert lead.body.startswith("Japan expressed keen interest")  # the lead paragraph stays in the body


@pytest.mark.parametrize(
    "line, headline",
    [
        ("Flood defences tested ahead of autumn", True),
        ("Mr. Kishida names four officers for NSATU", True),
        ("U.S. and Japan sign a 3.5 billion yen deal", True),
        ("Japan moves.This decision raised eyebrows", False),
        ("Officers leave. More follow in June", False),
        ("x" * 201, False),
        ("A single long sentence that reads like the opening of an article rather than a headline, "
         "going on about what happened and where, with a full stop.", False),
    ],
)  # fmt: skip
def test_which_first_lines_are_headlines(line, headline):
    assert is_headline(line) is headline


def test_a_lead_title_is_the_first_sentence_or_the_first_words():
    assert lead_title("Japan moves.This decision raised eyebrows.") == "Japan moves"
    assert lead_title("Mr. Kishida spoke. Then he left.") == "Mr. Kishida spoke"
    long = " ".join(["word"] * 100)
    title = lead_title(long)
    assert len(title) <= 200 and title.endswith("word…")


def test_boilerplate_above_the_headline_is_skipped(tmp_path):
    (tmp_path / "a.txt").write_text(
        "Advertisement\n\nShare this article\n\nCranes back at work\n\nAll six work.\n"
    )
    (item,) = read_file(tmp_path / "a.txt")
    assert (item.title, item.body) == ("Cranes back at work", "\nAll six work.")


PAGE = """<!DOCTYPE html><html><head>{head}</head><body><article>{body}
<p>Repairs on the old river bridge finished two weeks ahead of schedule, the city engineer said on
Monday, and the bridge reopened to traffic in both directions the same afternoon.</p>
</article></body></html>"""
SITE = '<meta property="og:site_name" content="City Herald">'
OG = '<meta property="og:title" content="From og:title">'


@pytest.mark.parametrize(
    "head, body, title",
    [
        (OG + "<title>From title | Herald</title>", "<h1>From h1</h1>", "From og:title"),
        ("<title>From title | Herald</title>", "<h1>From h1</h1>", "From h1"),
        ("<title>Bridge repairs finish early | City Herald</title>", "", "Bridge repairs finish early"),
        (SITE + "<title>Bridge repairs - City Herald</title>", "", "Bridge repairs"),
        (SITE + "<title>City Herald — Bridge repairs</title>", "", "Bridge repairs"),
        ("<title>Japan - NATO ties deepen</title>", "", "Japan - NATO ties deepen"),
    ],
)  # fmt: skip
def test_an_html_pages_title_without_the_site_name(head, body, title):
    assert html_title(PAGE.format(head=head, body=body))[0] == title


def test_a_site_suffix_is_recognised_by_the_pages_host():
    assert strip_site_name("Bridge repairs - Herald", "https://herald.example/x") == "Bridge repairs"
    assert strip_site_name("Bridge repairs - Herald") == "Bridge repairs - Herald"


def test_an_html_file_is_read_with_that_title_and_its_site_as_outlet(tmp_path):
    page = tmp_path / "p.html"
    page.write_text(
        PAGE.format(
            head=SITE + "<title>Bridge repairs | City Herald</title>",
            body="",
        )
    )
    (item,) = read_file(page)
    assert (item.title, item.source) == ("Bridge repairs", "City Herald")
