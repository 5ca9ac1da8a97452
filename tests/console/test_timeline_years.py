"""The timeline for a life of years: a year view and the whole life, amounts inside their
boxes or not drawn (never clipped), the states told apart by pattern and word, labels that
never overlap, and the per-period table beside the picture."""

from __future__ import annotations

import re

from billing.console.timeline import CHAR_WIDTH, WIDTH
from tests.api.helpers import bill, cancel, setup
from tests.conftest import Api
from tests.console.helpers import ok, sign_in


def svg_of(html: str) -> str:
    return html[html.index('<svg id="timeline"') : html.index("</svg>")]


def test_seventeen_months_by_year_and_whole_life(api: Api) -> None:
    sub = setup(api, today="2024-01-02", start="2024-01-02", unit_amount=624875)
    for month in range(2, 13):
        api.today(f"2024-{month:02d}-02")
        bill(api, f"2024-{month:02d}-02")
    for change in ("2024-03-02", "2024-03-09", "2024-03-16"):
        ok(
            api.post(
                f"/v1/subscriptions/{sub['id']}/changes",
                {"effective_date": change, "quantity": 2 + int(change[-2:]) // 7},
            )
        )
    for month in range(1, 6):
        api.today(f"2025-{month:02d}-02")
        bill(api, f"2025-{month:02d}-02")
    cancel(api, sub, mode="on_date", date="2025-06-02")
    sign_in(api.client)
    path = f"/console/subscriptions/{sub['id']}"

    whole = api.client.get(path).text
    svg = svg_of(whole)
    starts = re.findall(r'<g class="period \w+" data-start="([\d-]+)"', svg)
    assert len(starts) == 17 and starts[0] == "2024-01-02" and starts[-1] == "2025-05-02"
    assert 'id="view-life"' in whole and '?year=2024"' in whole and '?year=2025"' in whole
    # The table beside it holds every period with its state in words.
    table = whole[whole.index('id="periods"') :].split("</table>")[0]
    assert table.count("<tr class=") == 17 and "billed" in table

    year = api.client.get(path, params={"year": "2024"}).text
    year_starts = re.findall(r'<g class="period \w+" data-start="([\d-]+)"', svg_of(year))
    assert year_starts[0] == "2024-01-02" and all(s < "2025-01-01" for s in year_starts)
    assert len(year_starts) == 12
    # In the year view every amount fits its box: drawn whole (6 248,75 kr is never cut).
    for _box, width, label in re.findall(
        r'(<rect class="period-box" [^>]*width="([\d.]+)"[^>]*/>)\s*'
        r'(?:<rect class="period-tail"[^>]*/>\s*)?<text class="amount"[^>]*>([^<]+)</text>',
        svg_of(year),
    ):
        assert float(width) >= CHAR_WIDTH * len(label), (label, width)
    assert "6\xa0248,75\xa0kr" in svg_of(year) or "12\xa0497,50\xa0kr" in svg_of(year)

    # Marker labels never overlap, in either view, and stay inside the picture.
    for html in (whole, year):
        rows: dict[str, list[tuple[float, float, str]]] = {}
        for m in re.finditer(
            r'<g class="marker[^"]*"[^>]*>\s*<title>[^<]*</title>\s*<line [^>]*/>\s*'
            r'<text x="([\d.]+)" y="([\d.-]+)"( text-anchor="end")?>([^<]+)</text>',
            svg_of(html),
        ):
            x, y, end, label = float(m.group(1)), m.group(2), m.group(3), m.group(4)
            w = CHAR_WIDTH * len(label)
            left = x - w if end else x
            assert 0 <= left and left + w <= WIDTH + 1
            rows.setdefault(y, []).append((left, left + w, label))
        assert sum(len(r) for r in rows.values()) >= 3  # start, changes, last day, today
        for placed in rows.values():
            placed.sort()
            for (_a0, a1, la), (b0, _b1, lb) in zip(placed, placed[1:], strict=False):
                assert a1 <= b0, f"{la!r} overlaps {lb!r}"
    # Whole life: the credited period is striped, the unbilled outlined (more than colour).
    assert 'id="credit-stripes"' in svg and 'class="period credited"' in svg
