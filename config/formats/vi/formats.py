"""Vietnamese formats: 46.630 and 1,97; dates as 10/10/2026.

Django's own `vi` module sets the separators but no NUMBER_GROUPING (so 46630
stays 46630 even with USE_THOUSAND_SEPARATOR), writes dates as "Ngày 10 tháng 10
năm 2026" and short dates with dashes. Forms and officers write dd/mm/yyyy.
DATE_INPUT_FORMATS is left to Django's default on purpose: its first format is
ISO, which `<input type="date">` needs for its value.
"""

DATE_FORMAT = "d/m/Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "d/m/Y H:i"
YEAR_MONTH_FORMAT = r"\t\há\n\g n/Y"
MONTH_DAY_FORMAT = "d/m"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
