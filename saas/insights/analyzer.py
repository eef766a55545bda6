"""Rule-based reading of a recruiter note: reason, values, channel and follow-up date.

The note is normalised (NFKC, lower case), cut into clauses (commas, dashes, "but")
inside sentences, and every cue lexicon from :mod:`saas.insights.cues` and
:mod:`saas.insights.cues_values` is run once over the whole text; each match is then
judged in its clause:

* decisive reason cues add their weight unless negated ("no counter offer");
* illness cues count for ``health``, or ``family_matter`` when a relative is ill;
* a topic (pay, growth path, culture, benefits) is a *question* reason when the nearest
  marker is a concern/question (顾虑, asked, unsure …) and a *value* when the nearest
  marker says what the candidate wants (看重, looking for …); a clause without markers
  inherits the previous clause's marker within the same sentence;
* a channel counts only when the clause states a preference or is an imperative.

Conflicts between reasons are settled by weight (an offer already taken elsewhere 5,
decisive cues 3, strong 2, hints 1). A reason's score is its strongest clause (the best
cue in each clause; synonyms piled into one clause count once) plus a third of its other
clauses: a decisive cue of one reason is not outvoted by weak hints of another, while a
reason said twice beats one said once. Weights are adjusted by these rules, in this order:

1. negated cues don't count ("不是因为钱", "no counter offer", "没有别的offer");
2. an illness is ``health`` unless a relative is the one who is ill (``family_matter``);
   a leave-policy word asked about (问了病假几天) is a benefits question, not an illness;
3. a wrap-up or offer cue inside a clause that *asks* (她问上线后是不是要值班) is about
   our job, not theirs, and counts a third;
4. a wrap-up cue in the clause of a counter-offer cue (a retention bonus to stay through
   the launch) is the counter-offer's term and counts a third;
5. cues in a clause that names the primary reason or its cause (主要是, 因为, the real
   reason is, because) count half again;
6. ties go to the reason mentioned first.

Word boundaries are ASCII-aware (``了counter`` and ``他的leader`` match), and a very long
note is read as its first :data:`HEAD_CHARS` and last :data:`TAIL_CHARS` characters so
that a pasted thread stays fast; real notes are far shorter.
"""

from __future__ import annotations

import bisect
import datetime
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from saas.insights import cues, cues_values
from saas.insights.follow_up import extract_follow_up
from saas.insights.note_insight import NoteInsight


def _split_alternatives(pattern: str) -> list[str]:
    """Split a regex at its top-level ``|`` (respecting escapes, groups and classes)."""
    parts, depth, in_class, escaped, start = [], 0, False, False, 0
    for i, ch in enumerate(pattern):
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
    parts.append(pattern[start:])
    return parts


def _rx(pattern: str) -> re.Pattern[str]:
    """Compile a lexicon so a long note is scanned quickly.

    Python's ``re`` tries every alternative at every position. English alternatives
    (``\\b…``) are grouped behind one shared ``\\b``, and both they and Chinese alternatives
    that start with a literal character are guarded by a one-character lookahead, so most
    positions are rejected with a single test. Matching semantics are unchanged.
    """
    english, literal, other = [], [], []
    for alt in _split_alternatives(pattern):
        if alt.startswith("\\b"):
            english.append(alt[2:])
        elif alt and alt[0] not in "\\.^$*+?{}[]()|":
            literal.append(alt)
        else:
            other.append(alt)
    groups = list(other)
    if english:
        starts = {alt[0] if alt[:1].isalnum() else "a-z0-9" for alt in english}
        guard = "".join(sorted(starts))
        groups.append(f"(?=[{guard}])\\b(?:" + "|".join(english) + ")")
    if literal:
        firsts = "".join(sorted({re.escape(alt[0]) for alt in literal}))
        groups.append(f"(?=[{firsts}])(?:" + "|".join(literal) + ")")
    return re.compile(cues.ascii_edges("|".join(groups)))


def _grouped_reason_cues() -> tuple[tuple[str, re.Pattern[str], float], ...]:
    """One alternation per (reason, weight): far fewer passes over a long note."""
    grouped: dict[tuple[str, float], list[str]] = {}
    for reason, entries in cues.REASON_CUES.items():
        for pattern, weight in entries:
            grouped.setdefault((reason, float(weight)), []).append(pattern)
    return tuple((r, _rx("|".join(ps)), w) for (r, w), ps in grouped.items())


_REASON_CUES = _grouped_reason_cues()
_ILLNESS = _rx(cues.ILLNESS)
_FAMILY = _rx(cues.FAMILY_MEMBERS)
_SELF = _rx(cues.SELF_MARKERS)
_QUESTION_TOPICS = tuple((r, _rx(p)) for r, p in cues.QUESTION_TOPICS.items())
_VALUE_TOPICS = tuple((v, _rx(p)) for v, p in cues_values.VALUE_TOPICS.items())
_VALUE_STANDALONE = tuple((v, _rx(p)) for v, p in cues_values.VALUE_STANDALONE.items())
_CONCERN = _rx(cues.CONCERN_STRONG)
_WEAK_QUESTION = _rx(cues.QUESTION_WEAK)
_VALUE_MARKER = _rx(cues_values.VALUE_MARKERS)
_VALUE_NEGATOR = _rx(cues_values.VALUE_NEGATORS)
_VALUE_REFUSAL = _rx(cues_values.VALUE_REFUSALS)
_DEMOTER = _rx(cues_values.DEMOTERS)
_NEG_BEFORE_CUE = _rx(cues.NEG_BEFORE_CUE)
_NEG_BEFORE_TOPIC = _rx(cues.NEG_BEFORE_TOPIC)
_NEG_AFTER = _rx(cues.NEG_AFTER)
_CHANNELS = tuple((c, _rx(p)) for c, p in cues_values.CHANNEL_WORDS.items())
_CHANNEL_PREF = _rx(cues_values.CHANNEL_PREF_MARKERS)
_CHANNEL_IMPERATIVE = _rx(cues_values.CHANNEL_IMPERATIVES)
_CHANNEL_NEG_BEFORE = _rx(cues_values.CHANNEL_NEG_BEFORE)
_CHANNEL_NEG_AFTER = _rx(cues_values.CHANNEL_NEG_AFTER)
_CHANNEL_DEMOTED = _rx(cues_values.CHANNEL_DEMOTED_BEFORE)
_ASKING = _rx(cues.ASKING)
_BACK_REFERENCE = _rx(r"\bthat'?s\b|\bthat is\b|\bthis is\b|这一?(?:是|个|点|些)|那一?(?:是|个|点)")
_FOCUS = _rx(cues.FOCUS)
_LEAVE_POLICY = _rx(cues.LEAVE_POLICY)

HEAD_CHARS = 6_000
TAIL_CHARS = 2_000
# Our own job's events (上线, another offer …) are often what a candidate asks about.
_ASKABLE = frozenset({"project_wrapup", "competing_offer", "counter_offer"})
_ASKED_FACTOR = 1 / 3
_FOCUS_FACTOR = 1.5
_CORROBORATION = 0.3
# A project named in the same clause as a counter-offer is the offer's term, not the stall.
_TERMS_FACTOR = 1 / 3

# A full stop ends a sentence, except after a title or abbreviation (Ms. Chen, A vs. B).
_ABBREVIATIONS = ("vs", "mr", "ms", "mrs", "dr", "approx", "e\\.g", "i\\.e", "incl", "est")
_ABBREVIATION = "".join(rf"(?<!\b{a})" for a in _ABBREVIATIONS)
_SPLIT = re.compile(
    rf"(?P<sent>[;。!?\n]+|(?<=[a-z0-9)\]]){_ABBREVIATION}\.(?=\s|$))"
    r"|(?P<but>\bbut\b|但是|不过|可是)"
    r"|(?P<clause>[,:]|\s[-–—]+\s|—+)"
)

_OPENING_REACH = 12
_TOPIC_WEIGHT_STRONG = 2.0
_TOPIC_WEIGHT_WEAK = 1.5
_DEMOTE_REACH = 24


@dataclass
class _Clause:
    start: int
    end: int
    sentence: int
    after_but: bool
    question: bool


def _bounded(text: str) -> str:
    """The note itself, or for a very long one its head and tail (a sentence break between)."""
    if len(text) <= HEAD_CHARS + TAIL_CHARS:
        return text
    return text[:HEAD_CHARS] + "\n" + text[-TAIL_CHARS:]


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", _bounded(text)).lower()
    return text.replace("\u2019", "'").replace("\u2018", "'")


def _clauses(text: str) -> list[_Clause]:
    out: list[_Clause] = []
    start, sentence, after_but = 0, 0, False
    for m in _SPLIT.finditer(text):
        question = bool(m.group("sent")) and "?" in m.group(0)
        out.append(_Clause(start, m.start(), sentence, after_but, question))
        start = m.end()
        after_but = bool(m.group("but"))
        if m.group("sent"):
            sentence += 1
    out.append(_Clause(start, len(text), sentence, after_but, False))
    return out


class _Reader:
    """Holds the normalised text and its clauses; answers context questions."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.clauses = _clauses(text)
        self.starts = [c.start for c in self.clauses]

    def clause_index(self, pos: int) -> int:
        return max(0, bisect.bisect_right(self.starts, pos) - 1)

    def before(self, idx: int, pos: int, reach: int) -> str:
        return self.text[max(self.clauses[idx].start, pos - reach):pos]

    def after(self, idx: int, pos: int, reach: int) -> str:
        return self.text[pos:min(self.clauses[idx].end, pos + reach)]

    def matches(self, pattern: re.Pattern[str]) -> Iterator[tuple[int, re.Match[str]]]:
        for m in pattern.finditer(self.text):
            if m.end() > m.start():
                yield self.clause_index(m.start()), m


def _negated(reader: _Reader, idx: int, m: re.Match[str], before: re.Pattern[str]) -> bool:
    return bool(
        before.search(reader.before(idx, m.start(), 24))
        or _NEG_AFTER.search(reader.after(idx, m.end(), 16))
    )


def _markers(reader: _Reader) -> list[list[tuple[int, str]]]:
    """Per clause: (position, "value"|"concern") markers, inherited within a sentence.

    A clause without markers takes the previous clause's last marker; failing that, a
    worry voiced in the next clause (氛围比较压抑,她有顾虑) or a value the next clause
    points back to (…, that's what she's looking for).
    """
    own: list[list[tuple[int, str]]] = [[] for _ in reader.clauses]
    has_value = [False] * len(reader.clauses)
    for idx, m in reader.matches(_VALUE_MARKER):
        own[idx].append((m.start(), "value"))
        has_value[idx] = True
    for idx, m in reader.matches(_CONCERN):
        own[idx].append((m.start(), "concern"))
    for idx, m in reader.matches(_WEAK_QUESTION):
        if not has_value[idx]:
            own[idx].append((m.start(), "concern"))
    for idx, clause in enumerate(reader.clauses):
        if clause.question and not has_value[idx]:
            own[idx].append((clause.end, "concern"))
    result: list[list[tuple[int, str]]] = []
    for idx, clause in enumerate(reader.clauses):
        marks = sorted(own[idx])
        prev = reader.clauses[idx - 1] if idx else None
        if (not marks and prev is not None and prev.sentence == clause.sentence
                and not clause.after_but and result[idx - 1]):
            marks = [(clause.start, result[idx - 1][-1][1])]
        result.append(marks)
    for idx in range(len(reader.clauses) - 1):
        clause, following = reader.clauses[idx], reader.clauses[idx + 1]
        if result[idx] or not own[idx + 1] or following.sentence != clause.sentence:
            continue
        kind = sorted(own[idx + 1])[0][1]
        refers_back = _BACK_REFERENCE.search(reader.text, following.start, following.end)
        if kind == "concern" or refers_back:
            result[idx] = [(clause.end, kind)]
    # A sentence that opens by pointing back at what came before and says it is wanted
    # (…可以居家办公。她说这个对她最重要 · …remote. That's what matters to her) marks it.
    for idx in range(1, len(reader.clauses)):
        clause, previous = reader.clauses[idx], reader.clauses[idx - 1]
        if previous.sentence == clause.sentence or result[idx - 1] or not has_value[idx]:
            continue
        opening = reader.text[clause.start:min(clause.end, clause.start + _OPENING_REACH)]
        if _BACK_REFERENCE.search(opening):
            result[idx - 1] = [(previous.end, "value")]
    return result


def _role(marks: list[tuple[int, str]], pos: int) -> str | None:
    """The kind of the nearest marker before ``pos`` (else the nearest after it)."""
    if not marks:
        return None
    before = [kind for at, kind in marks if at <= pos]
    if before:
        return before[-1]
    return marks[0][1]


def _reason(reader: _Reader, marks: list[list[tuple[int, str]]]) -> tuple[str | None, float]:
    # the strongest cue per (reason, clause): synonyms piled into one clause are one cue
    cue: dict[tuple[str, int], float] = {}
    first: dict[str, int] = {}
    focus = {idx for idx, _ in reader.matches(_FOCUS)}
    asks: dict[int, int] = {}
    for idx, m in reader.matches(_ASKING):
        asks.setdefault(idx, m.start())

    def add(reason: str, weight: float, pos: int, idx: int) -> None:
        if reason in _ASKABLE and asks.get(idx, pos) < pos:
            weight *= _ASKED_FACTOR
        if idx in focus:
            weight *= _FOCUS_FACTOR
        cue[reason, idx] = max(cue.get((reason, idx), 0.0), weight)
        first[reason] = min(first.get(reason, pos), pos)

    hits = [(reason, weight, m.start(), idx) for reason, pattern, weight in _REASON_CUES
            for idx, m in reader.matches(pattern)
            if not _negated(reader, idx, m, _NEG_BEFORE_CUE)]
    retained = {idx for reason, _, _, idx in hits if reason == "counter_offer"}
    for reason, weight, pos, idx in hits:
        if (reason == "family_matter" and _LEAVE_POLICY.match(reader.text, pos)
                and _role(marks[idx], pos) == "concern"):
            continue  # 问陪产假有几天, asked about parental leave: a benefits question
        if reason == "project_wrapup" and idx in retained:
            weight *= _TERMS_FACTOR  # "a retention bonus to stay through the launch"
        add(reason, weight, pos, idx)
    with_relative = {reader.clauses[i].sentence for i, _ in reader.matches(_FAMILY)}
    with_self = {i for i, _ in reader.matches(_SELF)}
    worried = {reader.clauses[i].sentence for i, _ in reader.matches(_CONCERN)}
    for idx, m in reader.matches(_ILLNESS):
        if _negated(reader, idx, m, _NEG_BEFORE_CUE):
            continue
        asked = _role(marks[idx], m.start()) == "concern"
        if asked and _LEAVE_POLICY.match(reader.text, m.start()):  # 问了病假, asked about sick days
            continue
        relative = reader.clauses[idx].sentence in with_relative and idx not in with_self
        add("family_matter" if relative else "health", 3.0, m.start(), idx)
    for reason, pattern in _QUESTION_TOPICS:
        seen: set[int] = set()
        for idx, m in reader.matches(pattern):
            if idx in seen or _role(marks[idx], m.start()) != "concern":
                continue
            if _negated(reader, idx, m, _NEG_BEFORE_TOPIC):
                continue
            seen.add(idx)
            strong = reader.clauses[idx].sentence in worried
            add(reason, _TOPIC_WEIGHT_STRONG if strong else _TOPIC_WEIGHT_WEAK, m.start(), idx)
    if not cue:
        return None, 0.0
    scores = _scores(cue)
    ranked = sorted(scores, key=lambda r: (-scores[r], first[r]))
    top = scores[ranked[0]]
    second = scores[ranked[1]] if len(ranked) > 1 else 0.0
    confidence = min(0.95, 0.4 + 0.12 * top) * (0.5 + 0.5 * (top - second) / top)
    return ranked[0], round(confidence, 2)


def _scores(cue: dict[tuple[str, int], float]) -> dict[str, float]:
    """Each reason's strongest clause decides; its other clauses only corroborate.

    So several weak hints of one reason (release, launch, sprint) don't outvote one
    decisive cue of another (got another offer), while two clauses that each say the
    same reason still beat one.
    """
    by_reason: dict[str, list[float]] = {}
    for (reason, _), weight in cue.items():
        by_reason.setdefault(reason, []).append(weight)
    return {reason: max(weights) + _CORROBORATION * (sum(weights) - max(weights))
            for reason, weights in by_reason.items()}


def _demoted_spans(reader: _Reader) -> list[tuple[int, int]]:
    """Spans whose value topics don't count: after a demoter, or after a refusal."""
    spans = []
    for idx, m in reader.matches(_DEMOTER):
        spans.append((m.end(), min(reader.clauses[idx].end, m.end() + _DEMOTE_REACH)))
    wants = [m.start() for _, m in reader.matches(_VALUE_MARKER)]
    for idx, m in reader.matches(_VALUE_REFUSAL):
        # up to the next thing wanted: "doesn't want a startup and values stability"
        later = [pos for pos in wants if pos >= m.end()]
        spans.append((m.end(), min([reader.clauses[idx].end, *later])))
    return spans


def _values(reader: _Reader, marks: list[list[tuple[int, str]]]) -> frozenset[str]:
    demoted = _demoted_spans(reader)
    waved_off = {idx for idx, _ in reader.matches(_VALUE_NEGATOR)}
    found: set[str] = set()
    for value, pattern in _VALUE_TOPICS:
        for idx, m in reader.matches(pattern):
            if idx in waved_off or _role(marks[idx], m.start()) != "value":
                continue
            if any(lo <= m.start() < hi for lo, hi in demoted):
                continue
            if not _negated(reader, idx, m, _NEG_BEFORE_TOPIC):
                found.add(value)
    for value, pattern in _VALUE_STANDALONE:
        for idx, m in reader.matches(pattern):
            if not _negated(reader, idx, m, _NEG_BEFORE_TOPIC):
                found.add(value)
    return frozenset(found)


def _channel(reader: _Reader) -> str | None:
    """The preferred channel: the earliest one named in a preference or an imperative.

    A preference clause that names no channel ("so that's the best way to reach her")
    speaks about the channel in the clause just before it, within the same sentence.
    """
    named = [(idx, channel, m) for channel, pattern in _CHANNELS
             for idx, m in reader.matches(pattern)]
    with_channel = {idx for idx, _, _ in named}
    prefers: set[int] = set()
    for idx, _ in reader.matches(_CHANNEL_PREF):
        prefers.add(idx)
        clause = reader.clauses[idx]
        if (idx not in with_channel and idx > 0
                and reader.clauses[idx - 1].sentence == clause.sentence):
            prefers.add(idx - 1)
    imperative = [(m.start(), m.end()) for _, m in reader.matches(_CHANNEL_IMPERATIVE)]
    best: tuple[int, str] | None = None
    for idx, channel, m in named:
        inside = any(lo <= m.start() < hi for lo, hi in imperative)
        if not inside and idx not in prefers:
            continue
        head = reader.before(idx, m.start(), 40)
        if _CHANNEL_NEG_BEFORE.search(head) or _CHANNEL_DEMOTED.search(head):
            continue
        if _CHANNEL_NEG_AFTER.search(reader.after(idx, m.end(), 12)):
            continue
        if best is None or m.start() < best[0]:
            best = (m.start(), channel)
    return best[1] if best else None


def analyze_note(text: str, *, today: datetime.date) -> NoteInsight:
    """Read one recruiter note (zh-CN or English) following shared/TAXONOMY.md.

    Pure function: no Flask app, database or network. ``today`` is the note's own date,
    from which follow-up expressions are counted.
    """
    normalised = _normalise(text or "")
    if not normalised.strip():
        return NoteInsight()
    reader = _Reader(normalised)
    marks = _markers(reader)
    reason, confidence = _reason(reader, marks)
    return NoteInsight(
        reason=reason,
        values=_values(reader, marks),
        channel=_channel(reader),
        follow_up_on=extract_follow_up(normalised, today),
        confidence=confidence if reason else 0.0,
    )


def follow_up_date(text: str, *, today: datetime.date) -> datetime.date | None:
    """Only the follow-up date of :func:`analyze_note` (a quarter of its work)."""
    return extract_follow_up(_normalise(text or ""), today)
