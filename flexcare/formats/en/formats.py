"""Date and time as the portal shows them, in every language: one unambiguous, 24-hour form
(a ward reads "2026-12-01 13:28", not "12/01/2026 1:28 p.m." beside "Dec. 1, 2026")."""

DATE_FORMAT = "Y-m-d"
SHORT_DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
TIME_FORMAT = "H:i"
