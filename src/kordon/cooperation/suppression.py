"""Small-cell suppression for statistics about people: a count from 1 to 4 is never shown, and
where a row or column would then have exactly one hidden cell (which its total would give
away), the next smallest cell of that line is hidden too."""

from dataclasses import dataclass

THRESHOLD = 5
HIDDEN = None  # a hidden cell


@dataclass
class SuppressedTable:
    rows: list[str]
    columns: list[str]
    cells: dict[tuple[str, str], int | None]  # None: hidden
    row_totals: dict[str, int | None]
    column_totals: dict[str, int | None]
    total: int | None

    def cell(self, row: str, column: str) -> int | None:
        return self.cells.get((row, column), 0)

    def lines(self) -> list[tuple[str, list[int | None], int | None]]:
        """(row, its cells in the order of the columns, its total): what a table shows."""
        return [
            (row, [self.cell(row, column) for column in self.columns], self.row_totals[row])
            for row in self.rows
        ]

    def footer(self) -> list[int | None]:
        return [self.column_totals[column] for column in self.columns]


def _hide_lonely(
    cells: dict[tuple[str, str], int | None],
    counts: dict[tuple[str, str], int],
    lines: list[list[tuple[str, str]]],
) -> bool:
    """Hide a second cell in every line with exactly one hidden cell; True when anything changed."""
    changed = False
    for line in lines:
        hidden = [key for key in line if cells.get(key, 0) is HIDDEN]
        if len(hidden) != 1:
            continue
        shown = [key for key in line if cells.get(key, 0) not in (HIDDEN, 0)]
        if shown:
            smallest = min(shown, key=lambda key: counts[key])
            cells[smallest] = HIDDEN
            changed = True
    return changed


def suppressed_table(counts: dict[tuple[str, str], int]) -> SuppressedTable:
    rows = sorted({row for row, _column in counts})
    columns = sorted({column for _row, column in counts})
    cells: dict[tuple[str, str], int | None] = {
        key: HIDDEN if 0 < value < THRESHOLD else value for key, value in counts.items()
    }
    lines = [[(row, column) for column in columns] for row in rows] + [
        [(row, column) for row in rows] for column in columns
    ]
    while _hide_lonely(cells, counts, lines):
        pass

    def total(keys: list[tuple[str, str]]) -> int | None:
        value = sum(counts.get(key, 0) for key in keys)
        return HIDDEN if 0 < value < THRESHOLD else value

    return SuppressedTable(
        rows=rows,
        columns=columns,
        cells=cells,
        row_totals={row: total([(row, column) for column in columns]) for row in rows},
        column_totals={column: total([(row, column) for row in rows]) for column in columns},
        total=total(list(counts)),
    )
