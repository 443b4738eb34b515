"""Checks on a response used by the scope tests of every app (see
tests/test_every_endpoint_is_scoped.py and the apps' `scope_checks` modules)."""

import io
import zipfile


def status(code):
    def check(response):
        assert response.status_code == code, response.status_code

    return check


def lacks(text):
    """A 200 page (or JSON body) that does not contain `text`."""

    def check(response):
        assert response.status_code == 200, response.status_code
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert text not in body.decode(), text

    return check


def xlsx_lacks(text):
    """Templates and exports are workbooks: look inside every XML part."""

    def check(response):
        assert response.status_code == 200, response.status_code
        body = b"".join(response.streaming_content) if response.streaming else response.content
        with zipfile.ZipFile(io.BytesIO(body)) as workbook:
            parts = [workbook.read(name).decode() for name in workbook.namelist()]
        assert parts and all(text not in part for part in parts)

    return check
