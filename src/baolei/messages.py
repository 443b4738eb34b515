"""Messages for people, rendered in their language when shown, not when raised."""

from django.utils.functional import Promise, lazy


class CodedError(ValueError):
    """A refusal with a `code` for programs and a lazy `message` for people.

    A form can pass both straight on to `ValidationError`; the message is rendered in
    whatever language is active when it is displayed.
    """

    def __init__(self, code: str, message: str | Promise) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


def lazy_format(template: str | Promise, **params: object) -> Promise:
    """`template % params`, translated only when the message is finally rendered."""

    def render() -> str:
        return str(template) % params

    return lazy(render, str)()
