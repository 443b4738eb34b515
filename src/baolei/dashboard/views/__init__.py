"""The command centre's pages: a village's and the to-do panels (`panels`), the
dashboards of every level, the village report and the effectiveness view."""
