"""Small-cell suppression for statistics about people: a count from 1 to 4 is never shown, and
neither is the total of any row or column holding a hidden count, nor the grand total when any
count is hidden. Every total still shown then adds up only shown counts, so no hidden one can be
worked out by subtraction (the simplest rule that is safe; it hides more than it must)."""

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


def suppressed_table(counts: dict[tuple[str, str], int]) -> SuppressedTable:
    rows = sorted({row for row, _column in counts})
    columns = sorted({column for _row, column in counts})
    cells: dict[tuple[str, str], int | None] = {
        key: HIDDEN if 0 < value < THRESHOLD else value for key, value in counts.items()
    }
    any_hidden = HIDDEN in cells.values()

    def total(keys: list[tuple[str, str]]) -> int | None:
        if any(cells.get(key, 0) is HIDDEN for key in keys):
            return HIDDEN
        value = sum(counts.get(key, 0) for key in keys)
        return HIDDEN if 0 < value < THRESHOLD else value

    return SuppressedTable(
        rows=rows,
        columns=columns,
        cells=cells,
        row_totals={row: total([(row, column) for column in columns]) for row in rows},
        column_totals={column: total([(row, column) for row in rows]) for column in columns},
        total=HIDDEN if any_hidden else total(list(counts)),
    )
