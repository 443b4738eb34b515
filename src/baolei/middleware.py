from django.conf import settings
from django.utils import translation


class ChineseFirstLocaleMiddleware:
    """Simplified Chinese unless the user chose otherwise.

    Django's LocaleMiddleware follows the browser's Accept-Language, which on the
    English-language machines common in offices would hide the Chinese interface. Here
    only an explicit choice (the language cookie set by the switcher) changes it.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response
