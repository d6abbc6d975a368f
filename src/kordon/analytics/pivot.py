"""The pivot explorer's tables: a measure by one dimension in rows and, optionally, another in
columns, like a spreadsheet's pivot table; and the same table as rows for a CSV or XLSX file."""

from dataclasses import dataclass, field, replace
from typing import Any

from django.utils.translation import gettext as _

from kordon.analytics.cube import DIMENSIONS, MEASURES, Question, summary
from kordon.analytics.labels import Labeller


@dataclass
class PivotTable:
    question: Question
    rows: list[Any] = field(default_factory=list)  # the row dimension's keys, in order
    columns: list[Any] = field(default_factory=list)  # the column dimension's keys ([None] without one)
    cells: dict[tuple[Any, Any], Any] = field(default_factory=dict)
    row_labels: dict[Any, str] = field(default_factory=dict)
    column_labels: dict[Any, str] = field(default_factory=dict)
    total: Any = 0

    def value(self, row: Any, column: Any) -> Any:
        return self.cells.get((row, column), 0)

    def grid(self) -> list[list[Any]]:
        """Header and rows, for files: the row label, then one value per column."""
        dimensions = self.question.dimensions
        corner = (
            f"{DIMENSIONS[dimensions[0]].label} \\ {DIMENSIONS[dimensions[1]].label}"
            if len(dimensions) > 1
            else str(DIMENSIONS[dimensions[0]].label)
        )
        header = [
            corner,
            *(
                self.column_labels.get(column, str(MEASURES[self.question.measure].label))
                for column in self.columns
            ),
        ]
        return [
            header,
            *(
                [self.row_labels[row], *(self.value(row, column) for column in self.columns)]
                for row in self.rows
            ),
        ]


def pivot(*, user: Any, question: Question) -> PivotTable:
    """`question` must name one or two dimensions: rows, then columns."""
    dimensions = question.group_by
    if not 1 <= len(dimensions) <= 2:
        raise ValueError(_("Choose a dimension for the rows, and if you like one for the columns."))
    answer = summary(user=user, question=replace(question, group_by=dimensions))
    names = Labeller()
    table = PivotTable(question=answer.question, total=answer.total)
    row_name = dimensions[0]
    column_name = dimensions[1] if len(dimensions) > 1 else None
    for row in answer.rows:
        row_key = row[row_name]
        column_key = row[column_name] if column_name else None
        if row_key not in table.row_labels:
            table.rows.append(row_key)
            table.row_labels[row_key] = names.label(row_name, row_key)
        if column_key not in table.column_labels and column_name:
            table.columns.append(column_key)
            table.column_labels[column_key] = names.label(column_name, column_key)
        table.cells[(row_key, column_key)] = row["value"]
    if not column_name:
        table.columns = [None]
    return table
