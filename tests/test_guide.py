"""The authoring guide documents every field of the content model."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from powao import model as m
from powao.errors import Report
from powao.loader import load
from powao.templating import Templates

REPO = Path(__file__).resolve().parent.parent
ALL_MODELS = {**m.KINDS, **m.DATA_KINDS}


@pytest.fixture(scope="module")
def guide_html() -> str:
    corpus = load(REPO, Report())
    page = corpus.pages["guide-auteurs"]
    return Templates(corpus).renderer.fragment(page.src.body, page.src)


@pytest.mark.parametrize("name", sorted(ALL_MODELS))
def test_every_field_has_a_french_description(name):
    for row in m.field_rows(ALL_MODELS[name]):
        assert row["sens"], f"{name}: field « {row['champ']} » has no description"


@pytest.mark.parametrize("name", sorted(ALL_MODELS))
def test_guide_tables_list_every_field_of_the_model(guide_html, name):
    assert f"{{{{ champs: {name} }}}}" in (REPO / "content/guide-auteurs.md").read_text(
        encoding="utf-8"), f"the guide has no field table for « {name} »"
    fields = set(re.findall(r"<td class=\"notypo\"><code>([a-z_.]+)</code></td>", guide_html))
    for row in m.field_rows(ALL_MODELS[name]):
        assert row["champ"] in fields, f"« {row['champ']} » ({name}) missing from the guide"


def test_a_field_added_to_the_model_without_description_is_caught():
    from pydantic import create_model
    extended = create_model("AtelierPlus", __base__=m.Atelier, nouveau=(str, ""))
    missing = [row["champ"] for row in m.field_rows(extended) if not row["sens"]]
    assert missing == ["nouveau"]
