"""Reads an .xlsx as a spreadsheet program does (openpyxl) and prints its first sheet as JSON:
its name, frozen pane, filter range, the header's boldness and every row's values with types."""
import json
import sys

import openpyxl

book = openpyxl.load_workbook(sys.argv[1])
sheet = book.worksheets[0]
rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
print(json.dumps({
    "sheets": book.sheetnames,
    "freeze": sheet.freeze_panes,
    "filter": sheet.auto_filter.ref,
    "headerBold": all(cell.font.b for cell in sheet[1]),
    "rows": rows,
    "types": [[type(value).__name__ for value in row] for row in rows],
}, ensure_ascii=False))
