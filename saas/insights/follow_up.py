"""Follow-up date extraction from a recruiter note (TAXONOMY "follow-up dates from notes").

The note is scanned for relative time expressions (下周, next month, 年底 …) and for
"number + unit" durations written with digits, Chinese numerals or English number
words. Each expression yields a candidate date counted from ``today``; the latest
candidate wins. Expressions that are not about when the candidate will be ready are
dropped: frequencies (每周两天, two days a week), past durations (流程拖了一个月, took a
month), career-goal horizons (两年内晋升), travel times/distances (通勤一个小时), and
policy quantities asked about (年假5天).
"""

from __future__ import annotations

import bisect
import calendar
import datetime
import re
from collections.abc import Callable, Iterator

from saas.insights.cues import (
    BENEFIT_OR_PAY_TOPIC,
    CAREER_HORIZON_WORDS,
    QUESTION_WORDS,
    TRAVEL_WORDS,
    compile_cues,
)

# ---------------------------------------------------------------------------
# calendar helpers


def add_months(day: datetime.date, months: int) -> datetime.date:
    """Add calendar months, clamping to the target month's last day (Jan 31 + 1 = Feb 28/29)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(day.day, last))


def end_of_month(day: datetime.date) -> datetime.date:
    """The last day of ``day``'s month."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _shift(today: datetime.date, unit: str, amount: int, half: bool = False) -> datetime.date:
    """``today`` plus ``amount`` units (d/w/m/y); ``half`` adds half a unit more."""
    if unit == "d":
        return today + datetime.timedelta(days=amount)
    if unit == "w":
        return today + datetime.timedelta(days=7 * amount + (4 if half else 0))
    if unit == "m":
        moved = add_months(today, amount)
        return moved + datetime.timedelta(days=15) if half else moved
    return add_months(today, 12 * amount + (6 if half else 0))


# ---------------------------------------------------------------------------
# numbers

_ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_EN_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
               "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11,
               "twelve": 12, "fifteen": 15, "eighteen": 18, "twenty": 20, "thirty": 30}


def zh_number(token: str) -> int | None:
    """Parse digits or a Chinese numeral; 几 → 3; two adjacent digits (一两, 两三) → upper bound."""
    token = token.strip()
    if not token:
        return None
    if token.isascii() and token.isdigit():
        return int(token)
    if "几" in token:
        return 3
    if "十" not in token:
        if len(token) == 1:
            return _ZH_DIGITS.get(token)
        if len(token) == 2 and all(ch in _ZH_DIGITS for ch in token):
            first, second = _ZH_DIGITS[token[0]], _ZH_DIGITS[token[1]]
            return second if second > first else None
        return None
    tens_part, _, ones_part = token.partition("十")
    tens = _ZH_DIGITS.get(tens_part, -1) if tens_part else 1
    ones = _ZH_DIGITS.get(ones_part, -1) if ones_part else 0
    if tens < 0 or ones < 0:
        return None
    return tens * 10 + ones


def en_number(token: str) -> int | None:
    """Parse digits or an English number word (a/an = 1)."""
    token = token.strip()
    if token.isdigit():
        return int(token)
    return _EN_NUMBERS.get(token)


# ---------------------------------------------------------------------------
# patterns

_ZH_NUM = r"[0-9]{1,3}|[零〇一二两三四五六七八九十]{1,3}|好?几"
_EN_NUM = r"\d{1,3}|" + "|".join(sorted(_EN_NUMBERS, key=len, reverse=True))
_SEP = r"\s*(?:-|–|—|~|～|到|至|或)\s*"

_ZH_DURATION = compile_cues(
    rf"(?<![0-9零〇一二两三四五六七八九十几])(?P<n1>{_ZH_NUM})(?:{_SEP}(?P<n2>{_ZH_NUM}))?\s*"
    r"(?P<ghalf>个半)?(?:个多|来|多)?"
    r"(?P<unit>个工作日|工作日|天|日|个星期|星期|个礼拜|礼拜|周|个月|月|年)(?P<half>半)?"
)
_EN_DURATION = compile_cues(
    r"(?=[a-z0-9])\b(?:(?P<few>a\s+few|few|a\s+couple\s+of|a\s+couple|couple\s+of)"
    rf"|(?P<n1>{_EN_NUM})(?:\s*(?:-|–|—|~|to|or)\s*(?P<n2>{_EN_NUM}))?)"
    r"(?:\s*-\s*|\s+)(?:(?:more|additional|extra|further|full|business|working|calendar|solid)\s+)?"
    r"(?P<unit>fortnight|day|week|month|year)s?\b"
    r"(?P<andhalf>\s+and\s+a\s+half)?(?:\s+or\s+(?P<n3>two|three|2|3)\b)?"
)

_ZH_UNITS = {"天": "d", "日": "d", "工作日": "d", "个工作日": "d", "周": "w", "星期": "w",
             "个星期": "w", "礼拜": "w", "个礼拜": "w", "个月": "m", "月": "m", "年": "y"}
_EN_UNITS = {"day": "d", "week": "w", "fortnight": "f", "month": "m", "year": "y"}

# Spans that look like durations but are frequencies, rates or policy quantities.
_MASKS = tuple(compile_cues(p) for p in (
    rf"每\s*(?:个)?(?:周|星期|礼拜|月|年|天)[^,,。;;!?!?\n]{{0,6}}?(?:{_ZH_NUM})\s*(?:个)?"
    r"(?:天|日|次|小时|周|星期|礼拜)",
    rf"每\s*(?:隔)?\s*(?:{_ZH_NUM})?\s*(?:个)?(?:天|日|周|星期|礼拜|个月|月|年)",
    r"每\s*(?:隔)?\s*(?:半\s*个?\s*(?:年|月)|个?\s*季度)",
    rf"(?:一|1)\s*(?:个)?(?:周|星期|礼拜|月)[^,,。;;!?!?\n]{{0,6}}?(?:{_ZH_NUM})\s*(?:个)?(?:天|日|次)",
    rf"(?:{_ZH_NUM})\s*(?:个)?(?:天|周|星期|个月|月|年)[^,,。;;!?!?\n]{{0,4}}?(?:{_ZH_NUM})\s*(?:次|回|趟"
    r"|家公司|家|份工作|任老板)",
    rf"(?:年假|病假|婚假|带薪假|假期)\s*(?:只有|才|有|是|为|共|一共)?\s*(?:{_ZH_NUM})\s*(?:个)?(?:天|日|周|个月|月)",
    rf"(?:{_ZH_NUM})\s*(?:个)?(?:天|日|周|个月|月)\s*(?:的)?(?:年假|病假|带薪|假期)",
    rf"\b(?:{_EN_NUM}|once|twice|thrice|(?:a\s+)?few|(?:a\s+)?couple(?:\s+of)?|several)\s+"
    r"(?:[a-z]+\s+)?(?:times?\s+)?(?:a|per|each|every)\s+(?:day|week|month|year)\b",
    # a count of past events over a span: two layoffs in three years, 三年换了两家
    rf"\b(?:{_EN_NUM}|several|multiple)\s+(?:[a-z-]+\s+)?(?:layoffs?|lay-offs?|jobs|moves|employers"
    r"|companies|reorgs?|restructurings?|acquisitions|managers|bosses|roles|times|switches"
    rf"|promotions|startups)\s+in\s+(?:the\s+)?(?:(?:past|last)\s+)?(?:{_EN_NUM})\s+"
    r"(?:days|weeks|months|years)\b",
    r"\b(?:day|week|month|year)s?\s*/\s*(?:day|week|month|year)\b",
    rf"\bevery\s+(?:other\s+)?(?:(?:a\s+)?(?:couple|few)\s+(?:of\s+)?|(?:{_EN_NUM})\s+)?"
    r"(?:day|week|month|year)s?\b",
    r"[$¥€£]?\d[\d,.]*\s*(?:k|m|rmb|usd|dollars?|yuan|万)?\s+(?:a|per)\s+(?:year|month)\b",
    rf"\b(?:{_EN_NUM})\s+(?:days?|weeks?)\s+(?:of\s+)?(?:annual\s+|paid\s+|sick\s+)?"
    r"(?:leave|vacation|pto|holidays?|days\s+off)\b",
    rf"\b(?:{_EN_NUM})\s*-?\s*(?:vacation|sick|pto)\s+days\b",
    rf"\b(?:{_EN_NUM})[-\s](?:month|week)\s+probation\b",
    r"\bprobation(?:\s+period)?\s+(?:of|is|lasts)\s+\S+\s+\S+",
    r"\ba\s+while\b",
))

_BREAKS = compile_cues(r"[,,;;。!!??\n]|(?<=[a-z0-9)])\.(?=\s|$)|\s[-–—]+\s|—+|\bbut\b|但是|不过")
_SENTENCE_BREAKS = compile_cues(r"[;;。!!??\n]|(?<=[a-z0-9)])\.(?=\s|$)")

# 了 after a verb marks a past duration (拖了一个月), except 请了/休了 (taking leave ahead).
_ZH_PAST_BEFORE = re.compile(
    r"(?:(?<![请休])了|已经|已|过去|经过|近|这|前|上|最近|以前|曾|第|某|哪|那|前后|总共|一共|耗时)\s*"
    r"(?:快|将近|差不多|大概|大约|约|整整|足足)?\s*$"
)
# 刚来半年, 入职一年: time already spent, not time to wait.
_ZH_SPENT_BEFORE = re.compile(
    r"(?:刚|才)(?:来|到|入职|加入|满|过)?\s*$|(?:(?<![下未将后])来|入职|加入)了?\s*$"
)
# 这一两个月不方便: "these coming months" when what follows says the candidate is unavailable.
_ZH_THIS_BEFORE = re.compile(r"这\s*$")
_ZH_UNAVAILABLE_AFTER = re.compile(
    r"^\s*(?:内|里|之内|以内)?\s*(?:都|还|也|应该|肯定|暂时|先)?\s*"
    r"(?:不方便|不考虑|不能|不会|不行|不动|没空|没时间|没精力|走不开|脱不开|抽不开|顾不上|没法|无法|不打算"
    # 这两三天想清楚了再回复: what the candidate will do in the coming days
    r"|想(?:想|清楚|好|明白)|考虑(?:清楚|好|一下)?|再(?:回复|答复|定|决定|联系|说|看)|就?(?:会|能)?(?:给|回复|答复|决定|定下来|确定))"
)
_ZH_WORKED_BEFORE = re.compile(r"(?:工作|干|待|做)\s*$")
_ZH_FUTURE_AFTER = re.compile(r"^\s*(?:左右)?\s*(?:后|之后|以后|内|之内|以内)")
_ZH_PAST_AFTER = re.compile(
    r"^\s*(?:左右)?\s*(?:前|以前|之前|以来|了|多了|的?经验|的?工作经验"
    # 两周没人联系, 一个月都没消息: a silence that already happened
    r"|(?:都|也|还)?\s*(?:没|无)(?:有)?(?:人|任何|什么)?\s*(?:联系|回复|回音|回应|消息|动静|音讯|下文"
    r"|反馈|进展|更新|理))"
)
# 过两周再聊, 再等一个月: counted from now
_ZH_FUTURE_BEFORE = re.compile(r"(?:(?<![经通])过|再等|等|隔)\s*$")
_ZH_MONEY = re.compile(
    r"^\s*(?:[0-9]+(?:\.[0-9]+)?|[一二两三四五六七八九十百]+)\s*(?:万|k|w|元|块)"
)
_ZH_BARE_MONTH_OK = re.compile(r"^\s*(?:左右)?\s*(?:后|之后|以后|内|之内|以内|时间|的时间)")

_EN_PAST_BEFORE = compile_cues(
    r"(?:\b(?:took|taken|spent|lasted|dragged|dragging|waited|been|already)\b(?:\s+\S+){0,3}"
    r"|\b(?:past|last|previous|first)|\bfor\s+over)\s*$"
    r"|\b(?:worked|stayed|lived|served|was|were|had|studied|went|sat|stalled|stuck|remained"
    r"|paused|heard nothing|silent|quiet)\b(?:\s+\S+){0,5}\s+for\s+"
    r"(?:about\s+|around\s+|nearly\s+|almost\s+|over\s+)?$"
)
_EN_YEARS_AT = compile_cues(r"^\s+(?:at|with)\b")
_EN_PAST_AFTER = compile_cues(
    r"^\s*(?:ago|earlier|back\b(?!\s+in)|old\b|-old|of\s+(?:work\s+|relevant\s+)?experience"
    r"|experience|in\s+a\s+row|running"
    # three weeks without any update: a silence that already happened
    r"|without\s+(?:any\s+|a\s+)?(?:word|update|reply|response|news|contact|feedback|hearing)"
    r"|with\s+no\s+(?:word|update|reply|response|news|contact|feedback)|of\s+(?:radio\s+)?silence)"
)
_EN_FUTURE_BEFORE = compile_cues(
    r"\b(?:in|within|after|another|next|by|until|till|for|about|around)\s*(?:another|about|around"
    r"|roughly|maybe|another)?\s*$"
)
_FUTURE_AFTER_ANY = compile_cues(r"^\s*(?:后|之后|以后|内|之内|以内|later|from now|'?s?\s*time)")

Finder = Callable[[re.Match[str], datetime.date], datetime.date | None]


def _relative_patterns() -> tuple[tuple[re.Pattern[str], Finder], ...]:
    """Fixed relative expressions, most specific first (a longer match hides shorter ones)."""

    def plus(unit: str, amount: int, half: bool = False) -> Finder:
        return lambda _m, today: _shift(today, unit, amount, half)

    def eom(months: int) -> Finder:
        return lambda _m, today: end_of_month(add_months(today, months))

    def year_end(years: int) -> Finder:
        return lambda _m, today: datetime.date(today.year + years, 12, 31)

    def next_year(_m: re.Match[str], today: datetime.date) -> datetime.date:
        return datetime.date(today.year + 1, 1, 1)

    table: tuple[tuple[str, Finder], ...] = (
        (r"明年\s*年?\s*(?:底|末)|\b(?:the\s+)?end\s+of\s+next\s+year\b", year_end(1)),
        (r"明年\s*年?\s*初?|\b(?:early\s+|(?:the\s+)?(?:start|beginning)\s+of\s+)?next\s+year\b",
         next_year),
        (r"下\s*个?\s*月\s*(?:底|末)|\b(?:the\s+)?end\s+of\s+next\s+month\b", eom(1)),
        (r"下\s*下\s*个?\s*(?:周|星期|礼拜)|\b(?:the\s+)?week\s+after\s+next\b", plus("d", 14)),
        (r"(?<!一)下\s*个?\s*(?:周|星期|礼拜)|\bnext\s+week\b", plus("d", 7)),
        (r"(?<!一)下\s*个?\s*月|\bnext\s+month\b", plus("m", 1)),
        (r"(?:本|这个|这|当)?月\s*(?:底|末)|\b(?:the\s+)?end\s+of\s+(?:the|this)\s+month\b"
         r"|\bmonth[-\s]end\b|\bend[-\s]of[-\s]month\b", eom(0)),
        (r"今年\s*(?:年底|年末)|年底|年末|\b(?:the\s+)?end\s+of\s+(?:the|this)\s+year\b"
         r"|\byear[-\s]?end\b|\bend[-\s]of[-\s]year\b", year_end(0)),
        (r"半\s*个\s*月|\bhalf\s+a\s+month\b", plus("d", 15)),
        (r"(?<![上下前])半\s*年|\bhalf\s+a\s+year\b|\bhalf[-\s]year\b", plus("m", 6)),
    )
    return tuple((compile_cues(p), f) for p, f in table)


_RELATIVE = _relative_patterns()
# A promotion, raise or goal a date is attached to (老板答应明年给他升职, aims to make lead next
# year): a counter-offer's term or a career horizon, not when the candidate will be ready.
_GOAL_WORDS = compile_cues(
    r"加薪|涨薪|调薪|\b(?:a|the|his|her) raise\b|升职|晋升|升到|升为|升级|提拔|当上|做到|目标|转正"
    r"|\bpromot|\bgoals?\b|\baim(?:s|ing)?\b"
    r"|\bbecom(?:e|ing)\b|\bmake (?:manager|lead|director|senior|partner|principal|staff)\b"
)
GOAL_REACH = 16
# ... unless the candidate is waiting for it (等年底晋升结果出来再说, after the promotion round).
_WAITING = compile_cues(
    r"等|之后|以后|再(?!次)|回复|答复|决定|结果|\bdecid|\bget back\b|\bthen\b|\bafter\b|\bonce\b"
    r"|\buntil\b|\bcheck back\b"
    r"|\bfollow up\b|\breach out\b|\bwaiting\b|\boutcome\b|\bresults?\b"
)
# What may stand beside a bare horizon in its own clause (想做到经理,两年内).
_BARE_FILLER = compile_cues(
    r"^[\s.。,,;;!!]*(?:(?:大概|大约|争取|希望|最好|估计|\bwithin|\bin|\babout|\baround|\broughly"
    r"|\bthe next)\s*)*$"
)
_BARE_TAIL = compile_cues(r"^\s*(?:内|之内|以内|左右|吧|的时间)*[\s.。,,;;!!]*$")
_RELATIVE_PAST_BEFORE = compile_cues(r"(?:上\s*个?|去年\s*|去|过去|前|last|past)\s*$")
_RELATIVE_PAST_AFTER = compile_cues(r"^\s*(?:前|以前|之前|ago)")


class _Text:
    """Normalised note plus clause and sentence boundaries for context windows."""

    def __init__(self, text: str, original: str) -> None:
        self.text = text
        self.original = original
        self.breaks = [m.start() for m in _BREAKS.finditer(text)]
        self.sentence_breaks = [m.start() for m in _SENTENCE_BREAKS.finditer(text)]

    @staticmethod
    def _bounds(breaks: list[int], pos: int, size: int) -> tuple[int, int]:
        i = bisect.bisect_right(breaks, pos)
        start = breaks[i - 1] + 1 if i > 0 else 0
        end = breaks[i] if i < len(breaks) else size
        return start, end

    def clause(self, pos: int) -> tuple[int, int]:
        return self._bounds(self.breaks, pos, len(self.text))

    def sentence(self, pos: int) -> tuple[int, int]:
        return self._bounds(self.sentence_breaks, pos, len(self.text))


def _mask(text: str) -> str:
    """Blank out frequencies, rates and policy quantities (offsets are preserved)."""
    for pattern in _MASKS:
        text = pattern.sub(lambda m: " " * len(m.group(0)), text)
    return text


def _relative_dates(
    doc: _Text, text: str, today: datetime.date, taken: list[tuple[int, int]]
) -> Iterator[datetime.date]:
    for pattern, finder in _RELATIVE:
        for m in pattern.finditer(text):
            start, end = m.span()
            if end - start == 0 or any(s < end and start < e for s, e in taken):
                continue
            taken.append((start, end))
            if _RELATIVE_PAST_BEFORE.search(text[max(0, start - 6):start]):
                continue
            is_duration = "半" in m.group(0) or "half" in m.group(0)
            if is_duration and _ZH_SPENT_BEFORE.search(text[max(0, start - 4):start]):
                continue
            if is_duration and _RELATIVE_PAST_AFTER.search(text[end:end + 4]):
                continue
            if (_goal_horizon(doc, start, end, _GOAL_WORDS, GOAL_REACH)
                    and not _WAITING.search(text, *doc.sentence(start))):
                continue
            found = finder(m, today)
            if found is not None:
                yield found


SENTENCE_REACH = 160
HORIZON_REACH = 40


def _goal_horizon(doc: _Text, start: int, end: int, words: re.Pattern[str], reach: int) -> bool:
    """Whether the expression at ``start:end`` is the horizon of a career goal.

    The goal is in the expression's clause (两年内晋升), or, when the expression stands
    alone in its clause (想做到经理,两年内), in the clause just before or after it within
    the same sentence.
    """
    c_start, c_end = doc.clause(start)
    if words.search(doc.text[max(c_start, start - reach):min(c_end, end + reach)]):
        return True
    bare = (_BARE_FILLER.search(doc.text[c_start:start])
            and _BARE_TAIL.search(doc.text[end:c_end]))
    if not bare:
        return False
    s_start, s_end = doc.sentence(start)
    before = doc.text[max(s_start, c_start - 1 - reach):max(s_start, c_start - 1)]
    after = doc.text[min(s_end, c_end + 1):min(s_end, c_end + 1 + reach)]
    return bool(words.search(before) or words.search(after))


def _excluded(doc: _Text, start: int, end: int, after: str, future: bool) -> bool:
    """Context exclusions shared by zh and en durations."""
    # A goal's object can run long in English (lead a team of his own within three years).
    if _goal_horizon(doc, start, end, CAREER_HORIZON_WORDS, HORIZON_REACH):
        return True
    c_start, c_end = doc.clause(start)
    near = doc.text[max(c_start, start - 12):min(c_end, end + 10)]
    if TRAVEL_WORDS.search(near):
        return True
    if not future:
        s_start, s_end = doc.sentence(start)
        # The sentence, but never more than a few lines around the expression: a note
        # with no full stops must not make every expression rescan the whole note.
        sentence = doc.original[max(s_start, start - SENTENCE_REACH):
                                min(s_end + 1, end + SENTENCE_REACH)]
        if BENEFIT_OR_PAY_TOPIC.search(sentence) and QUESTION_WORDS.search(sentence):
            return True
    return False


def _zh_dates(doc: _Text, text: str, today: datetime.date,
              taken: list[tuple[int, int]]) -> Iterator[datetime.date]:
    for m in _ZH_DURATION.finditer(text):
        start, end = m.span()
        if any(s < end and start < e for s, e in taken):
            continue
        before, after = text[max(0, start - 4):start], text[end:end + 8]
        unit_text = m.group("unit")
        future = bool(_ZH_FUTURE_AFTER.search(after) or _ZH_FUTURE_BEFORE.search(before))
        head = before.rstrip()
        if head.endswith(("周", "星期", "礼拜", "每")):  # 周一周二 (weekdays), 每… (frequency)
            continue
        if head.endswith("月") and unit_text in ("日", "天"):  # 5月3日 is a date
            continue
        if unit_text == "月" and not m.group("ghalf") and not _ZH_BARE_MONTH_OK.search(after):
            continue
        if unit_text == "年" and after.lstrip().startswith(("级", "纪")):
            continue
        coming = bool(_ZH_THIS_BEFORE.search(before) and _ZH_UNAVAILABLE_AFTER.search(after))
        if not future and not coming and (
            _ZH_PAST_BEFORE.search(before) or _ZH_PAST_AFTER.search(after)
            or _ZH_SPENT_BEFORE.search(before)
        ):
            continue
        if before.endswith("有") and m.group(0) == "一天":  # 有一天 = "some day"
            continue
        if unit_text == "年" and not future and _ZH_WORKED_BEFORE.search(before):
            continue
        if _ZH_MONEY.search(after) or before.endswith(("年薪", "月薪")):
            continue
        amount = zh_number(m.group("n2") or m.group("n1"))
        if not amount:
            continue
        if _excluded(doc, start, end, after, future):
            continue
        unit = _ZH_UNITS[unit_text]
        yield _shift(today, unit, amount, bool(m.group("ghalf") or m.group("half")))


def _en_dates(doc: _Text, text: str, today: datetime.date,
              taken: list[tuple[int, int]]) -> Iterator[datetime.date]:
    for m in _EN_DURATION.finditer(text):
        start, end = m.span()
        if any(s < end and start < e for s, e in taken):
            continue
        before, after = text[max(0, start - 40):start], text[end:end + 30]
        future = bool(_EN_FUTURE_BEFORE.search(before) or _FUTURE_AFTER_ANY.search(after))
        if _EN_PAST_BEFORE.search(before) or _EN_PAST_AFTER.search(after):
            continue
        few = m.group("few")
        if few:
            amount: int | None = 3 if "few" in few else 2
        else:
            numbers = [en_number(m.group(g) or "") for g in ("n1", "n2", "n3")]
            amount = max((n for n in numbers if n is not None), default=None)
        if not amount:
            continue
        if m.group("unit") == "year" and _EN_YEARS_AT.search(after):  # "four years at X"
            continue
        if _excluded(doc, start, end, after, future):
            continue
        unit = _EN_UNITS[m.group("unit")]
        if unit == "f":
            unit, amount = "d", 14 * amount
        yield _shift(today, unit, amount, bool(m.group("andhalf")))


def extract_follow_up(text: str, today: datetime.date) -> datetime.date | None:
    """The latest date the note says the candidate will be ready, or ``None``.

    ``text`` must already be normalised (NFKC, lower-case) by the caller.
    """
    masked = _mask(text)
    doc = _Text(masked, text)
    taken: list[tuple[int, int]] = []
    dates = list(_relative_dates(doc, masked, today, taken))
    dates.extend(_zh_dates(doc, masked, today, taken))
    dates.extend(_en_dates(doc, masked, today, taken))
    future = [d for d in dates if d >= today]
    return max(future) if future else None
