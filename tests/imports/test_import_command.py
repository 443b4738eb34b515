"""`baolei import households FILE [--as USER]`: the pipeline in the terminal, with a
progress bar, a non-zero exit and the rejected rows' path when the file is refused."""

import importlib
import io

import pytest
from django.core.management import CommandError, call_command, execute_from_command_line
from python_calamine import CalamineWorkbook

from baolei.audit.context import current_actor
from baolei.audit.models import Action, AuditEvent
from baolei.imports.models import ImportJob
from baolei.registry.models import Household
from tests.imports.registry_files import (
    NEIGHBOUR_VILLAGE,
    csv_bytes,
    register,
    register_counts,
    xlsx_bytes,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_clean_file_is_imported_with_a_progress_bar(tmp_path):
    path = tmp_path / "兴国镇.csv"
    path.write_bytes(csv_bytes(register(4), "gbk"))

    out, err = run("households", str(path))

    assert "Imported 12 rows: 12 new, 0 changed, 0 unchanged" in out
    assert register_counts() == (4, 12, 12, 4)
    assert "100% 12/12" in err and "[" + "#" * 30 + "]" in err
    job = ImportJob.objects.get()
    assert job.channel == "command" and job.uploaded_by is None and job.region_code == ""
    event = AuditEvent.objects.get(action=Action.IMPORT)
    # Without --as, the operating-system account at the terminal (`command:<user>` when run
    # as `baolei import`).
    assert event.channel == "command" and event.actor_name == current_actor().name
    assert event.extra["filename"] == "兴国镇.csv"


def test_running_it_again_changes_nothing(tmp_path):
    path = tmp_path / "兴国镇.xlsx"
    path.write_bytes(xlsx_bytes(register(2)))
    run("households", str(path))
    out, _err = run("households", str(path))
    assert "6 unchanged" in out
    assert register_counts() == (2, 6, 6, 2)


def test_as_a_user_within_their_scope(tmp_path, insider):
    rows = register(2)
    rows[3]["村"] = NEIGHBOUR_VILLAGE
    path = tmp_path / "兴国镇.xlsx"
    path.write_bytes(xlsx_bytes(rows))
    copy = tmp_path / "退回.xlsx"

    with pytest.raises(CommandError) as refusal:
        run("households", str(path), "--as", "insider", "--rejected", str(copy))

    assert refusal.value.returncode == 1
    assert "Rejected: 1 problems, nothing was imported." in str(refusal.value)
    assert str(copy) in str(refusal.value)
    assert register_counts() == (0, 0, 0, 0)
    with CalamineWorkbook.from_path(str(copy)) as workbook:
        rows_back = workbook.get_sheet_by_index(0).to_python()
    assert rows_back[0][-1] == "错误原因" and "420222101001" in rows_back[4][-1]
    job = ImportJob.objects.get()
    assert job.uploaded_by == insider and job.region_code == "420222100"


def test_the_exit_status_is_not_zero_when_rejected(tmp_path, monkeypatch, capsys):
    rows = register(1)
    rows[0]["身份证号"] = "420222197506150010"
    path = tmp_path / "坏.csv"
    path.write_bytes(csv_bytes(rows))
    # The command line closes every connection when it ends: not the test's.
    monkeypatch.setattr("django.db.connections.close_all", lambda: None)

    with pytest.raises(SystemExit) as exit_status:
        execute_from_command_line(["baolei", "import", "households", str(path)])

    assert exit_status.value.code == 1
    err = capsys.readouterr().err
    assert "row 2, 身份证号" in err
    assert ImportJob.objects.get().error_file.path in err
    assert not Household.objects.exists()


def test_refusals_before_any_work(tmp_path, db):
    path = tmp_path / "户.csv"
    path.write_bytes(csv_bytes(register(1)))
    with pytest.raises(CommandError, match="unknown sheet"):
        run("people", str(path))
    with pytest.raises(CommandError, match="no such file"):
        run("households", str(tmp_path / "missing.csv"))
    with pytest.raises(CommandError, match="no active user"):
        run("households", str(path), "--as", "nobody")
    assert not ImportJob.objects.exists()


def test_a_user_who_may_not_edit_the_register(tmp_path, outsider):
    path = tmp_path / "户.csv"
    path.write_bytes(csv_bytes(register(1)))
    with pytest.raises(CommandError, match="may not import"):
        run("households", str(path), "--as", "outsider")
    assert register_counts() == (0, 0, 0, 0)


def test_a_rejected_csv_upload_gets_its_rows_back_as_csv_too(tmp_path):
    """As the job's web page offers them: the XLSX, and for a CSV upload the CSV (UTF-8
    with a byte-order mark, which Excel and WPS open as is)."""
    rows = register(1)
    rows[1]["身份证号"] = "420222197506150010"
    path = tmp_path / "坏.csv"
    path.write_bytes(csv_bytes(rows, "gbk"))

    with pytest.raises(CommandError) as refusal:
        run("households", str(path), "--rejected", str(tmp_path / "退回.xlsx"))

    job = ImportJob.objects.get()
    xlsx, csv_copy = tmp_path / "退回.xlsx", tmp_path / "退回.csv"
    message = str(refusal.value)
    assert f"Rejected rows with reasons: {xlsx}" in message
    assert f"The same as CSV: {csv_copy}" in message
    assert xlsx.read_bytes() == job.error_file.read()
    assert csv_copy.read_bytes() == job.error_csv.open("rb").read()
    lines = csv_copy.read_bytes().decode("utf-8-sig").splitlines()
    assert lines[0].endswith(",错误原因") and "身份证号" in lines[2] and len(lines) == 4

    # Asked for a .csv: the CSV there, the XLSX beside it; without --rejected, both named.
    with pytest.raises(CommandError) as refusal:
        run("households", str(path), "--rejected", str(tmp_path / "back.csv"))
    assert (tmp_path / "back.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert (tmp_path / "back.xlsx").exists()
    with pytest.raises(CommandError) as refusal:
        run("households", str(path))
    job = ImportJob.objects.latest("id")
    assert job.error_file.path in str(refusal.value) and job.error_csv.path in str(refusal.value)


def test_an_xlsx_upload_gets_no_csv(tmp_path):
    rows = register(1)
    rows[1]["身份证号"] = "420222197506150010"
    path = tmp_path / "坏.xlsx"
    path.write_bytes(xlsx_bytes(rows))
    with pytest.raises(CommandError) as refusal:
        run("households", str(path), "--rejected", str(tmp_path / "退回.xlsx"))
    assert "CSV" not in str(refusal.value) and not (tmp_path / "退回.csv").exists()


def test_what_it_prints_is_translated(tmp_path, monkeypatch):
    """Every message goes through gettext, as the pages' do (the Chinese catalogue is
    filled in separately): here a marker stands in for the translation."""
    command = importlib.import_module("baolei.imports.management.commands.import")
    monkeypatch.setattr(command, "_", lambda text: f"«{text}»")
    rows = register(1)
    rows[0]["身份证号"] = "420222197506150010"
    path = tmp_path / "坏.csv"
    path.write_bytes(csv_bytes(rows))
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as refusal:
        call_command("import", "households", str(path), stdout=out, stderr=err)
    assert "«row 2, 身份证号: check character should be" in err.getvalue()
    assert "«Reading»" in err.getvalue()
    assert str(refusal.value).startswith("«Rejected: 1 problems")
    for args, wanted in (
        (["people", str(path)], "«unknown sheet"),
        (["households", str(tmp_path / "missing.csv")], "«no such file"),
        (["households", str(path), "--as", "nobody"], "«no active user"),
    ):
        with pytest.raises(CommandError, match=wanted):
            call_command("import", *args, stdout=out, stderr=err)
