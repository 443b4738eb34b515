"""The national lines of the poverty-alleviation period and the first monitoring line.

Poverty line: the national rural poverty standard (2,300 yuan per person per year at 2010
prices) in each year's current prices as published by the National Bureau of Statistics,
2014-2019, and 4,000 yuan for 2020, the line applied for the final exits. Monitoring line: 6,000 yuan for 2021, 1.5
times the former poverty line (Ministry of Agriculture and Rural Affairs / National Rural
Revitalisation Administration guidance). Provinces set their own later lines: they are
edited in the application, not here.
"""

from decimal import Decimal

from django.db import migrations

SOURCE_POVERTY = "国家农村贫困标准(2010年不变价2300元)当年价"
SOURCE_MONITORING = "防止返贫监测范围:2021年6000元(原贫困线1.5倍)"
STANDARDS = [
    (2014, Decimal("2800"), None, SOURCE_POVERTY),
    (2015, Decimal("2855"), None, SOURCE_POVERTY),
    (2016, Decimal("2952"), None, SOURCE_POVERTY),
    (2017, Decimal("2952"), None, SOURCE_POVERTY),
    (2018, Decimal("2995"), None, SOURCE_POVERTY),
    (2019, Decimal("3218"), None, SOURCE_POVERTY),
    (2020, Decimal("4000"), None, "2020年脱贫标准"),
    (2021, None, Decimal("6000"), SOURCE_MONITORING),
]


def add_standards(apps, schema_editor):
    AnnualStandard = apps.get_model("registry", "AnnualStandard")
    for year, poverty_line, monitoring_line, source in STANDARDS:
        AnnualStandard.objects.get_or_create(
            year=year,
            defaults={
                "poverty_line": poverty_line,
                "monitoring_line": monitoring_line,
                "source": source,
            },
        )


def remove_standards(apps, schema_editor):
    AnnualStandard = apps.get_model("registry", "AnnualStandard")
    AnnualStandard.objects.filter(year__in=[row[0] for row in STANDARDS]).delete()


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_register")]

    operations = [migrations.RunPython(add_standards, remove_standards)]
