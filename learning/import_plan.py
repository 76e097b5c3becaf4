"""Planning a completion import: every row of an exported list checked, and its
learner matched to one person of the unit or planned as a newcomer. Nothing is written.

A person matches a row when their name folded without diacritics is the row's, and
their date of birth (or year, when only a year is known on either side) or their
phone is the row's. The candidates are read once per unit named in the file, and
everything a list repeats (names, dates, courses, unit codes) is worked out once.
"""

import gc
import re
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache, partial
from operator import itemgetter

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _

from units.models import Membership, TargetGroup, Unit
from units.text import fold, phone_digest, phone_digits

from .models import Completion, Training
from .services import LearningError, check_completion_date
from .spreadsheets import Cell, Table, UnreadableFile, read_table

# The headers as the platform exports them; the error report names columns so.
NAME, BIRTH, PHONE, UNIT_CODE, COURSE, COMPLETED, CERTIFICATE = (
    "Họ và tên",
    "Ngày sinh",
    "Số điện thoại",
    "Mã đơn vị",
    "Khóa học",
    "Ngày hoàn thành",
    "Số chứng chỉ",
)
# Folded header -> column; English aliases for files re-made by hand.
ALIASES = {
    NAME: ("ho va ten", "ho ten", "ten hoc vien", "full name", "name"),
    BIRTH: (
        "ngay sinh",
        "ngay thang nam sinh",
        "nam sinh",
        "date of birth",
        "birth date",
        "birthday",
        "dob",
    ),
    PHONE: ("so dien thoai", "dien thoai", "so dt", "sdt", "phone", "phone number"),
    UNIT_CODE: ("ma don vi", "ma xa", "ma phuong", "unit code"),
    COURSE: (
        "khoa hoc",
        "ma khoa hoc",
        "ten khoa hoc",
        "course",
        "course key",
        "course id",
        "course name",
    ),
    COMPLETED: (
        "ngay hoan thanh",
        "thoi gian hoan thanh",
        "completion date",
        "completed on",
        "date completed",
    ),
    CERTIFICATE: (
        "so chung chi",
        "ma chung chi",
        "so hieu chung chi",
        "certificate number",
        "certificate",
    ),
}
_HEADERS = {alias: column for column, aliases in ALIASES.items() for alias in aliases}
REQUIRED = (NAME, COURSE, COMPLETED)
TEMPLATE_HEADERS = (NAME, BIRTH, PHONE, UNIT_CODE, COURSE, COMPLETED, CERTIFICATE)
# A title or a blank line or two may sit above the header row.
HEADER_SEARCH_ROWS = 10

_DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T].*)?")
_YMD = re.compile(r"(\d{4})[/.-](\d{1,2})[/.-](\d{1,2})(?:[ T].*)?")
_YEAR = re.compile(r"\d{4}")
_PARENTHESES = re.compile(r"\(.*?\)")
_NOT_WORD = re.compile(r"[^a-z0-9]+")
# Spreadsheet serial numbers count days from this date (dates kept as plain numbers).
_SERIAL_EPOCH = date(1899, 12, 30)


def max_bytes() -> int:
    return getattr(settings, "LEARNING_IMPORT_MAX_BYTES", 20 * 1024 * 1024)


def _max_rows() -> int:
    return getattr(settings, "LEARNING_IMPORT_MAX_ROWS", 200_000)


def _max_unzipped() -> int:
    return getattr(settings, "LEARNING_IMPORT_MAX_UNZIPPED_BYTES", 400 * 1024 * 1024)


class ImportRefused(LearningError):
    """The file as a whole cannot be imported; nothing was stored."""


@dataclass(eq=False)
class Newcomer:
    """A learner nobody in the unit matched: created when their first chunk applies."""

    display_name: str
    birth_date: date | None
    birth_year: int | None
    phone_digest: str
    unit: Unit
    target_group: str
    person: object = None  # the Person, once created


@dataclass(slots=True)
class _Row:
    number: int
    display_name: str
    name_key: str
    birth_date: date | None
    birth_year: int | None
    phone_digest: str
    unit: Unit
    unit_id: int
    training: Training
    training_id: int
    completed_on: date
    certificate: str


@dataclass(slots=True)
class Planned:
    """A valid, distinct row: who completed which training, credited to which unit."""

    number: int
    person_id: int | None
    newcomer: Newcomer | None
    unit_id: int
    training: Training
    completed_on: date
    certificate: str
    recorded: bool = False


@dataclass
class Plan:
    file_format: str
    encoding: str
    ignored_columns: list[str] = field(default_factory=list)
    rows_total: int = 0
    rows_invalid: int = 0
    rows_duplicate: int = 0
    items: list[Planned] = field(default_factory=list)
    # [row, column, message, "error" | "warning"], in file order
    problems: list[list] = field(default_factory=list)

    @property
    def rows_recorded(self) -> int:
        return sum(1 for item in self.items if item.recorded)

    @property
    def new_learners(self) -> int:
        return len({id(item.newcomer) for item in self.items if item.newcomer})

    def refuse_row(self, number: int, errors: list[tuple[str, str]]) -> None:
        self.rows_invalid += 1
        self.problems.extend(
            [number, column, message, "error"] for column, message in errors
        )


# Cells -------------------------------------------------------------------------


def _text(cell: Cell) -> str:
    if type(cell) is str:
        # A NUL byte means nothing in a name, code or key, and PostgreSQL refuses
        # it in any text it is asked to compare (the API fuzz test sent one: a 500).
        return cell.replace("\x00", "").strip()
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _date(cell: Cell) -> date:
    """A date as the platform or Excel writes it: dd/mm/yyyy, ISO, a date cell."""
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        if 20_000 <= cell <= 80_000:
            return _SERIAL_EPOCH + timedelta(days=int(cell))
        raise ValueError(cell)
    text = _text(cell)
    if found := _DMY.fullmatch(text):
        day, month, year = (int(part) for part in found.groups())
    elif found := _YMD.fullmatch(text):
        year, month, day = (int(part) for part in found.groups())
    else:
        raise ValueError(text)
    return date(year, month, day)


def _birth(cell: Cell, *, today: date) -> tuple[date | None, int | None]:
    """A date of birth, or only its year; (None, None) when empty. ValueError if bad."""
    text = _text(cell)
    if not text:
        return None, None
    if _YEAR.fullmatch(text):
        year = int(text)
        if not 1900 <= year <= today.year:
            raise ValueError(text)
        return None, year
    day = _date(cell)
    if not date(1900, 1, 1) <= day <= today:
        raise ValueError(text)
    return day, day.year


def _completed_on(cell: Cell, *, today: date) -> date:
    day = _date(cell)
    check_completion_date(day, today=today)
    return day


def _phone(cell: Cell) -> str:
    text = _text(cell)
    # A number typed into Excel loses its leading zero: 912345678 was 0912345678.
    if isinstance(cell, int | float) and len(text) == 9:
        text = "0" + text
    return text


def _display_name(text: str) -> str:
    name = " ".join(text.split())
    # Exports in capitals ("NGUYỄN VĂN BÌNH") are stored as names are written.
    return name.title() if name.isupper() else name


def _header_key(text: str) -> str:
    return _NOT_WORD.sub(" ", _PARENTHESES.sub(" ", fold(text))).strip()


# The file's columns, courses and units -----------------------------------------


def _columns(rows) -> tuple[int, dict[str, int], list[str]]:
    """Find the header row: (its index in rows, column -> position, ignored headers)."""
    best = None
    for index, (_number, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        found: dict[str, int] = {}
        ignored = []
        for position, cell in enumerate(cells):
            header = _text(cell)
            column = _HEADERS.get(_header_key(header))
            if column is not None and column not in found:
                found[column] = position
            elif header:
                ignored.append(header)
        if NAME in found and COURSE in found:
            return index, found, ignored
        if best is None or len(found) > len(best[1]):
            best = (index, found, ignored)
    return best


def _check_columns(found: dict[str, int]) -> None:
    missing = [column for column in REQUIRED if column not in found]
    if BIRTH not in found and PHONE not in found:
        missing.append(f"{BIRTH} / {PHONE}")
    if missing:
        raise ImportRefused(
            _("The file lacks these columns: %(columns)s. Use the template's headers.")
            % {"columns": ", ".join(missing)}
        )


class _Courses:
    """Trainings by MOOC course key, or by title folded; read once."""

    def __init__(self):
        self.by_key: dict[str, Training] = {}
        self.by_title: dict[str, list[Training]] = defaultdict(list)
        for training in Training.objects.all():
            if training.external_key:
                self.by_key[training.external_key.strip().lower()] = training
            self.by_title[fold(training.title)].append(training)

        # A list names few courses, each on many rows.
        self.find = cache(self._find)

    def _find(self, text: str) -> Training | str:
        """The training, or what is wrong with the course cell."""
        if not text:
            return _("The course is empty.")
        training = self.by_key.get(text.lower())
        titled = self.by_title.get(fold(text), [])
        if training is not None:
            return training
        if len(titled) == 1:
            return titled[0]
        if titled:
            return _("Several trainings have this title; use the MOOC course key.")
        return _("Unknown course “%(course)s”.") % {"course": text[:100]}


def _code_variants(text: str) -> list[str]:
    # A code typed into Excel as a number loses its leading zeros ("01" -> 1).
    return [text, text.zfill(2), text.zfill(5)] if len(text) < 5 else [text]


def _units_by_code(codes: set[str], *, within: Unit) -> dict[str, Unit | str]:
    """Each unit code of the file -> its unit, or what is wrong with it; one query."""
    wanted = {variant for text in codes for variant in _code_variants(text)}
    units = defaultdict(list)
    for unit in Unit.objects.filter(
        code__in=wanted,
        kind__in=[Unit.Kind.PROVINCE, Unit.Kind.COMMUNE, Unit.Kind.WARD],
    ):
        units[unit.code].append(unit)
    found: dict[str, Unit | str] = {"": within}
    for text in codes:
        candidates = {
            unit.pk: unit for variant in _code_variants(text) for unit in units[variant]
        }
        if len(candidates) != 1:
            found[text] = _("Unknown unit code “%(code)s”.") % {"code": text[:20]}
            continue
        unit = next(iter(candidates.values()))
        if not unit.path.startswith(within.path):
            found[text] = _(
                "Unit code %(code)s (%(unit)s) is outside %(chosen)s, the unit this file is imported for."
            ) % {"code": text, "unit": unit.name, "chosen": within.name}
        elif not unit.is_active:
            found[text] = _("Unit %(unit)s is no longer active.") % {"unit": unit.name}
        else:
            found[text] = unit
    return found


# Rows --------------------------------------------------------------------------


class _RowChecker:
    """Check one data row at a time. A list repeats its dates, names, courses and
    codes many times: each distinct value is parsed once."""

    ORDER = (NAME, BIRTH, PHONE, UNIT_CODE, COURSE, COMPLETED, CERTIFICATE)

    def __init__(self, table: Table, *, unit: Unit, today: date, plan: Plan):
        index, columns, plan.ignored_columns = _columns(table.rows)
        _check_columns(columns)
        self.data = table.rows[index + 1 :]
        if not self.data:
            raise ImportRefused(_("The file has a header row but no data rows."))
        # Problems name a column as the file's header does.
        self.header = {
            column: _text(table.rows[index][1][position])
            for column, position in columns.items()
        }
        # A column the file lacks reads the None padded at the end of every row.
        self.width = max(columns.values()) + 1
        self.cells = itemgetter(
            *(columns.get(column, self.width) for column in self.ORDER)
        )
        codes = {self.values(cells)[3] for _n, cells in self.data}
        self.units = _units_by_code({_text(code) for code in codes} - {""}, within=unit)
        self.courses = _Courses()
        self.birth = cache(partial(_birth, today=today))
        self.completed_on = cache(partial(_completed_on, today=today))
        self.fold = cache(fold)

    def values(self, cells: list[Cell]) -> tuple:
        if len(cells) <= self.width:
            cells = cells + [None] * (self.width + 1 - len(cells))
        return self.cells(cells)

    def check(self, number: int, cells: list[Cell]) -> tuple[_Row | None, list]:
        """The row, or None and its problems as (column header, message)."""
        name, born, phone, code, course, done, certificate = self.values(cells)
        errors = []

        def refuse(column: str, message: str) -> None:
            errors.append((self.header.get(column, column), message))

        name = _display_name(_text(name))
        if not name:
            refuse(NAME, _("The full name is empty."))
        elif len(name) > 120:
            refuse(NAME, _("The full name is longer than 120 characters."))
        try:
            birth_date, birth_year = self.birth(born)
        except ValueError:
            birth_date, birth_year = None, None
            refuse(BIRTH, _("The date of birth is not a date (dd/mm/yyyy) or a year."))
        phone = _phone(phone)
        digest = phone_digest(phone) if phone else ""
        if phone and not phone_digits(phone):
            refuse(PHONE, _("The phone number is not a Vietnamese mobile number."))
        elif not (birth_year or digest or _text(born)):
            refuse(
                BIRTH,
                _(
                    "Give the date of birth or the phone number to identify the learner."
                ),
            )
        unit = self.units.get(_text(code))
        if isinstance(unit, str):
            refuse(UNIT_CODE, unit)
        training = self.courses.find(_text(course))
        if isinstance(training, str):
            refuse(COURSE, training)
        try:
            completed_on = self.completed_on(done)
        except ValueError:
            refuse(COMPLETED, _("The completion date is not a date (dd/mm/yyyy)."))
        except LearningError as error:
            refuse(COMPLETED, error.message)
        certificate = _text(certificate)
        if len(certificate) > 64:
            refuse(
                CERTIFICATE, _("The certificate number is longer than 64 characters.")
            )
        if errors:
            return None, errors
        row = _Row(
            number=number,
            display_name=name,
            name_key=self.fold(name),
            birth_date=birth_date,
            birth_year=birth_year,
            phone_digest=digest,
            unit=unit,
            unit_id=unit.pk,
            training=training,
            training_id=training.pk,
            completed_on=completed_on,
            certificate=certificate,
        )
        return row, errors


# People ------------------------------------------------------------------------

# A candidate: (identity, person id or None, unit credited, newcomer or None); the
# identity is the person id, or the Newcomer itself.
Candidate = tuple


class _People:
    """The people of one unit's subtree who can be identified, indexed by folded name
    with the date of birth, the year of birth or the phone; read in one query."""

    def __init__(self, unit: Unit, *, fold_name):
        self.by_date: dict[tuple, list[Candidate]] = {}
        self.by_year: dict[tuple, list[Candidate]] = {}
        self.undated_by_year: dict[tuple, list[Candidate]] = {}
        self.by_phone: dict[tuple, list[Candidate]] = {}
        rows = (
            Membership.objects.filter(
                unit__path__startswith=unit.path, person__is_active=True
            )
            .filter(
                Q(person__birth_date__isnull=False)
                | Q(person__birth_year__isnull=False)
                | ~Q(person__phone_digest="")
            )
            .values_list(
                "person_id",
                "unit_id",
                "is_primary",
                "person__display_name",
                "person__birth_date",
                "person__birth_year",
                "person__phone_digest",
            )
        )
        people: dict[int, list] = {}
        for person_id, unit_id, primary, *rest in rows.iterator(chunk_size=10_000):
            known = people.get(person_id)
            if known is None:
                people[person_id] = [unit_id, *rest]
            elif primary:
                # Credit the person's primary unit when it is inside the subtree.
                known[0] = unit_id
        for person_id, (unit_id, name, born, year, digest) in people.items():
            self.add(
                (person_id, person_id, unit_id, None),
                fold_name(name),
                born,
                year,
                digest,
            )

    def add(self, candidate: Candidate, key: str, born, year, digest) -> None:
        if born is not None:
            self.by_date.setdefault((key, born), []).append(candidate)
            year = year or born.year
        elif year is not None:
            self.undated_by_year.setdefault((key, year), []).append(candidate)
        if year is not None:
            self.by_year.setdefault((key, year), []).append(candidate)
        if digest:
            self.by_phone.setdefault((key, digest), []).append(candidate)

    def matches(self, row: _Row) -> list[Candidate]:
        """Same folded name, and the same birth date (or year, when only a year is
        known on either side) or the same phone."""
        key = row.name_key
        pool: list[Candidate] = []
        if row.birth_date is not None:
            pool += self.by_date.get((key, row.birth_date), ())
            pool += self.undated_by_year.get((key, row.birth_year), ())
        elif row.birth_year is not None:
            pool += self.by_year.get((key, row.birth_year), ())
        if row.phone_digest:
            pool += self.by_phone.get((key, row.phone_digest), ())
        if len(pool) < 2:
            return pool
        distinct: dict = {}
        for candidate in pool:
            distinct.setdefault(candidate[0], candidate)
        return list(distinct.values())


def _target_group(training: Training) -> str:
    groups = training.target_groups or []
    return groups[0] if len(groups) == 1 else TargetGroup.CITIZEN


def _match(rows: list[_Row], *, plan: Plan, fold_name, header: dict) -> None:
    """Match each row to one person or a newcomer; a repeated person+course counts once."""
    units = {row.unit_id: row.unit for row in rows}
    people = {pk: _People(unit, fold_name=fold_name) for pk, unit in units.items()}
    # A newcomer of a village is also a candidate for rows naming its commune.
    enclosing = {
        pk: [
            people[other]
            for other, outer in units.items()
            if unit.path.startswith(outer.path)
        ]
        for pk, unit in units.items()
    }
    first_row: dict[tuple, int] = {}
    for row in rows:
        found = people[row.unit_id].matches(row)
        if len(found) > 1:
            plan.refuse_row(
                row.number,
                [
                    (
                        header[NAME],
                        _(
                            "%(count)d people of the unit match “%(name)s”; add the date of birth or the phone number."
                        )
                        % {"count": len(found), "name": row.display_name},
                    )
                ],
            )
            continue
        if found:
            candidate = found[0]
        else:
            newcomer = Newcomer(
                display_name=row.display_name,
                birth_date=row.birth_date,
                birth_year=row.birth_year,
                phone_digest=row.phone_digest,
                unit=row.unit,
                target_group=_target_group(row.training),
            )
            candidate = (newcomer, None, row.unit_id, newcomer)
            for index in enclosing[row.unit_id]:
                index.add(
                    candidate,
                    row.name_key,
                    row.birth_date,
                    row.birth_year,
                    row.phone_digest,
                )
        identity, person_id, unit_id, newcomer = candidate
        key = (identity, row.training_id)
        if key in first_row:
            plan.rows_duplicate += 1
            plan.problems.append(
                [
                    row.number,
                    "",
                    _("Same learner and course as row %(row)d: counted once.")
                    % {"row": first_row[key]},
                    "warning",
                ]
            )
            continue
        first_row[key] = row.number
        plan.items.append(
            Planned(
                number=row.number,
                person_id=person_id,
                newcomer=newcomer,
                unit_id=unit_id,
                training=row.training,
                completed_on=row.completed_on,
                certificate=row.certificate,
            )
        )


def _mark_recorded(plan: Plan) -> None:
    """Flag the rows whose person already has the training: a few queries in all."""
    known = [item for item in plan.items if item.person_id is not None]
    training_ids = {item.training.pk for item in known}
    person_ids = sorted({item.person_id for item in known})
    existing = set()
    for start in range(0, len(person_ids), 1000):
        existing.update(
            Completion.objects.filter(
                person_id__in=person_ids[start : start + 1000],
                training_id__in=training_ids,
            ).values_list("person_id", "training_id")
        )
    for item in known:
        item.recorded = (item.person_id, item.training.pk) in existing


@contextmanager
def paused_gc():
    """Pause the cyclic garbage collector for a bulk pass over a big list.

    Such a pass allocates hundreds of thousands of small containers that all stay
    alive until it ends, and the collector keeps walking them (a third of the time of
    a 100,000-row plan, measured). Reference counting still frees everything else.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def plan_import(*, data: bytes, unit: Unit, today: date) -> Plan:
    """Read, check and match a file's rows without writing anything."""
    if len(data) > max_bytes():
        raise ImportRefused(
            _("The file is larger than %(size)d MB.") % {"size": max_bytes() // 2**20}
        )
    try:
        table = read_table(data, max_rows=_max_rows(), max_unzipped=_max_unzipped())
    except UnreadableFile as error:
        raise ImportRefused(error.message) from None
    return plan_table(table, unit=unit, today=today)


def plan_table(table: Table, *, unit: Unit, today: date) -> Plan:
    """Check and match the rows of a table (a file's, or an API request's)."""
    plan = Plan(file_format=table.file_format, encoding=table.encoding)
    checker = _RowChecker(table, unit=unit, today=today, plan=plan)
    rows = []
    with paused_gc():
        for number, cells in checker.data:
            plan.rows_total += 1
            row, errors = checker.check(number, cells)
            if row is None:
                plan.refuse_row(number, errors)
            else:
                rows.append(row)
        _match(rows, plan=plan, fold_name=checker.fold, header=checker.header)
    _mark_recorded(plan)
    plan.problems.sort(key=lambda problem: problem[0])
    return plan
