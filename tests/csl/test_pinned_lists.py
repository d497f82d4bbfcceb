"""What citekit keeps of citeproc-py (pinned) without importing it, held to citeproc-py itself."""

from __future__ import annotations

from pathlib import Path


def test_the_variable_list_is_citeproc_pys() -> None:
    import citeproc

    from citekit.csl.items import _CSL_VARIABLES

    assert _CSL_VARIABLES == {v.replace("_", "-") for v in citeproc.VARIABLES}


def test_the_locales_folder_is_citeproc_pys() -> None:
    import citeproc

    from citekit.csl.locale import locales_dir

    assert locales_dir() == Path(citeproc.LOCALES_PATH)
    assert (locales_dir() / "locales-en-US.xml").is_file()
