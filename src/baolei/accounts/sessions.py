"""Sessions in the database, refreshed without making readers wait.

Sessions expire after inactivity (`SESSION_SAVE_EVERY_REQUEST`), so every request would
write its session row, a page view included. Moving the expiry on by a few seconds is
not worth a write, nor worth waiting for SQLite's write lock while an import holds it:
an unchanged session is written only when its stored expiry is more than a minute
behind, and skipped when the database is busy (the next request will do it). A changed
session (a login, a language choice) is saved as always.
"""

import datetime

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

from baolei.transactions import unless_busy

REFRESH_AFTER = datetime.timedelta(minutes=1)


class SessionStore(DatabaseSessionStore):
    _stored_expiry: datetime.datetime | None = None

    def _get_session_from_db(self):
        found = super()._get_session_from_db()
        self._stored_expiry = found.expire_date if found is not None else None
        return found

    def save(self, must_create: bool = False) -> None:
        if must_create or self.modified or self._stored_expiry is None:
            super().save(must_create=must_create)
            return
        if self.get_expiry_date() - self._stored_expiry < REFRESH_AFTER:
            return
        unless_busy(lambda: super(SessionStore, self).save(), "refreshing a session")
