"""Hostile spreadsheets for the import tests, built by hand with zipfile: each a few
kilobytes on disk, each claiming or expanding to far more than any clerk's file."""

import io
import zipfile

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
    'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
ROOT_RELS = (
    '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
    '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    f'<?xml version="1.0"?><workbook xmlns="{MAIN_NS}" xmlns:r="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships"><sheets>'
    '<sheet name="户籍成员" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
    '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)


def text_cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def xlsx(sheet_data: str, dimension: str | None = None) -> bytes:
    """A minimal workbook of one sheet whose <sheetData> is `sheet_data`, deflated hard."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        head = f'<dimension ref="{dimension}"/>' if dimension else ""
        archive.writestr(
            "xl/worksheets/sheet1.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}">{head}'
            f"<sheetData>{sheet_data}</sheetData></worksheet>",
        )
    return buffer.getvalue()


HEADER_ROW = f'<row r="1">{text_cell("A1", "姓名")}{text_cell("B1", "身份证号")}</row>'


def dimension_bomb() -> bytes:
    """The probe's file: a header, and one cell at XFD1048576 that its dimension claims;
    asking for the whole area is 17 billion cells (512 GB)."""
    return xlsx(
        HEADER_ROW + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>',
        dimension="A1:XFD1048576",
    )


def far_cell() -> bytes:
    """No dimension at all, and the same far cell: calamine's own grid is 17 billion."""
    return xlsx(HEADER_ROW + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')


def deflate_bomb(rows: int) -> bytes:
    """`rows` identical rows (without references, as some writers do): kilobytes on disk,
    megabytes of XML."""
    cell = '<c t="inlineStr"><is><t>张三</t></is></c>'
    return xlsx(HEADER_ROW + f"<row>{cell}{cell}</row>" * rows)


def rows_without_references(rows: int) -> bytes:
    """Rows and cells without their r attributes (some generators write them so)."""
    cell = '<c t="inlineStr"><is><t>x</t></is></c>'
    return xlsx("".join(f"<row>{cell}{cell}</row>" for _ in range(rows)))


def wide_row(columns: int) -> bytes:
    """A header, then a row whose cells run out to column `columns`, without references."""
    cells = "".join("<c><v>1</v></c>" for _ in range(columns))
    return xlsx(HEADER_ROW + f'<row r="2">{cells}</row>')
