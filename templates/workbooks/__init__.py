"""Workbook builders (openpyxl): every workbook an office receives, in the layouts of `eop.layout`."""
