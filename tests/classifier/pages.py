"""Reading the classifier's pages in tests: a table's rows as the text of their cells."""
from __future__ import annotations

import re


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def table_rows(html: str, testid: str) -> list[list[str]]:
    """The body rows of the (first) table with `data-testid=testid`, each as its cells' text."""
    table = re.search(rf'<table[^>]*data-testid="{re.escape(testid)}"[^>]*>(.*?)</table>', html, re.S)
    assert table, f"no table {testid}"
    body = table.group(1).split("<tbody>", 1)[1]
    return [
        [_text(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


def section(html: str, testid: str) -> str:
    """The HTML of the `<section>` or `<article>` with `data-testid=testid`."""
    found = re.search(rf'<(section|article)[^>]*data-testid="{re.escape(testid)}"[^>]*>(.*?)</\1>', html, re.S)
    assert found, f"no section {testid}"
    return found.group(2)
