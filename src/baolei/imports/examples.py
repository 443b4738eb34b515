"""The example row of every template: one plausible row, on a sheet of its own.

The example lives on the 填写示例 sheet after the sheet that is filled in and read: an
import reads the first visible sheet only, so a template uploaded unchanged creates
nothing, and nobody has to remember to delete a sample household before loading.

A cell of the example is, in order: the first entry of the column's drop-down (a
village of the uploader's scope, a choice in the interface's words), else the text below
for the column's header, else empty. The texts are the ones a clerk writes, so they are
in Chinese, like the headers.
"""

from __future__ import annotations

from baolei import idnumbers
from baolei.accounts.scope import Scope, scoped
from baolei.imports.pipeline import Column, Sheet
from baolei.regions.models import Region

EXAMPLE_SHEET = "填写示例"
EXAMPLE_NOTE = "本页仅为填写示例，不会导入。请在“{sheet}”工作表中填写，每行一条。"

_FIRST17 = "42022219800101001"
EXAMPLE_ID_NUMBER = _FIRST17 + idnumbers.check_character(_FIRST17)
_FIRST17_OTHER = "42022219850315002"
EXAMPLE_SECOND_ID_NUMBER = _FIRST17_OTHER + idnumbers.check_character(_FIRST17_OTHER)

# Header → example text, for the columns without a drop-down. `{village}` is the short
# name of the first village in the uploader's scope, `{village_code}` its code.
TEXTS: dict[str, str] = {
    "户编号": "{village_code}000001",
    "地址": "一组 12 号",
    "识别年度": "2014",
    "姓名": "张三",
    "身份证号": EXAMPLE_ID_NUMBER,
    "联系电话": "13800000000",
    "年度": "2024",
    "工资性收入": "18000",
    "生产经营性收入": "6500",
    "财产性收入": "0",
    "转移性收入": "3200",
    "生产经营性支出": "1500",
    "家庭人口": "4",
    "所在地区": "{village_full}",
    "所在地区（代码或全称）": "{village_full}",
    "党组织所在地区": "{village_full}",
    "组织名称": "{village}党支部",
    "党组织名称": "{village}党支部",
    "所在党组织": "{village}党支部",
    "上级党组织": "{township}党委",
    "书记姓名": "李四",
    "书记身份证号": EXAMPLE_SECOND_ID_NUMBER,
    "成立日期": "2018-06-01",
    "统一社会信用代码": "93420222MA49XXXX1X",
    "名称": "{village}种养专业合作社",
    "产业类型": "种植业",
    "成员(职工)数": "25",
    "成立年份": "2019",
    "党建指导员": "王五",
    "最近党的活动日期": "2024-05-20",
    "日期": "2024-03-15",
    "主题": "学习贯彻党的二十大精神",
    "实到人数": "18",
    "应到人数": "20",
    "入党日期": "2005-07-01",
    "党内职务": "支部委员",
    "工作单位": "县农业农村局",
    "职务": "科员",
    "专长": "农业技术推广",
    "参加工作时间": "2010-07-01",
    "现从事工作": "种植大户",
    "确定日期": "2023-12-01",
    "月份": "5",
    "在村天数": "22",
    "其他特长": "",
    "现从事职业": "生猪养殖",
    "识别日期": "2023-04-10",
    "识别方式": "村推荐",
    "课程编号": "PX2024001",
    "报名日期": "2024-03-01",
    "参训学时": "32",
    "证书编号": "ZS2024001",
    "发证日期": "2024-04-30",
}


def _places(scope: Scope | None) -> dict[str, str]:
    village = None
    if scope is not None and not scope.empty:
        village = scoped(Region.objects.villages(), scope).order_by("code").first()
    if village is None:
        return {"village": "某某村", "village_full": "", "village_code": "", "township": "某某镇"}
    township = Region.objects.filter(code=village.code[:9]).values_list("name", flat=True).first()
    return {
        "village": village.name,
        "village_full": village.full_name,
        "village_code": village.code,
        "township": township or "",
    }


def _cell(column: Column, scope: Scope | None, places: dict[str, str]) -> str:
    values = column.dropdown(scope)
    if values:
        return values[0]
    return TEXTS.get(column.header, "").format(**places)


def example_row(sheet: Sheet, scope: Scope | None) -> list[str]:
    """One example row of the sheet, in its columns' order."""
    places = _places(scope)
    return [_cell(column, scope, places) for column in sheet.columns]


def write_example(workbook, sheet: Sheet, scope: Scope | None, header_format) -> None:
    """The 填写示例 sheet: the headers, the example row, and a note that it is not read."""
    worksheet = workbook.add_worksheet(EXAMPLE_SHEET)
    text = workbook.add_format({"num_format": 49, "font_color": "#7F7F7F", "italic": True})
    note = workbook.add_format({"bold": True, "font_color": "#C00000"})
    for index, (column, value) in enumerate(
        zip(sheet.columns, example_row(sheet, scope), strict=True)
    ):
        worksheet.set_column(index, index, column.width)
        worksheet.write_string(0, index, column.header, header_format)
        worksheet.write_string(1, index, value, text)
    worksheet.write_string(3, 0, EXAMPLE_NOTE.format(sheet=sheet.sheet_name), note)
    worksheet.freeze_panes(1, 0)
