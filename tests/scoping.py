"""Checks on a response used by the scope tests of every app (see
tests/test_every_endpoint_is_scoped.py and the apps' `scope_checks` modules)."""

import io
import json
import zipfile


def status(code):
    def check(response):
        assert response.status_code == code, response.status_code

    return check


def lacks(text):
    """A 200 page (or JSON body) that does not contain `text`."""

    def check(response):
        assert response.status_code == 200, response.status_code
        assert text not in _text_of(response), text

    return check


def _text_of(response) -> str:
    """The body as a person would read it: JSON escapes Chinese (\u5174…), so a JSON body
    is decoded and written out again with the characters themselves."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Type", "").startswith("application/json"):
        return json.dumps(json.loads(body), ensure_ascii=False)
    return body.decode()


def xlsx_lacks(text):
    """Templates and exports are workbooks: look inside every XML part."""

    def check(response):
        assert response.status_code == 200, response.status_code
        body = b"".join(response.streaming_content) if response.streaming else response.content
        with zipfile.ZipFile(io.BytesIO(body)) as workbook:
            parts = [workbook.read(name).decode() for name in workbook.namelist()]
        assert parts and all(text not in part for part in parts)

    return check
