"""Extractive answers for the embedded profile: the sentence of a passage that answers the question, with its [n].

A 270M model asked to write an answer from a passage mostly restates the question ("According to [1] what do
10 modules cost?"). Choosing a sentence the passage already holds states the fact by construction:

1. :func:`passage_units` splits a passage into candidate *units*: the sentences of its paragraphs, each list
   item (changelog entries), each table row (as ``header: cell`` pairs). Headings and questions (an FAQ's
   ``Q.`` lines) are not candidates; they are the *context* of the units that follow them.
2. :func:`rank_units` scores every unit by its closeness in meaning to the question (an injected
   ``similarity``: the packaged MiniLM in practice; a unit also gets some of its context's closeness, so an
   FAQ's answer inherits its question's) plus the share of the question's content words it contains
   (numbers, codes and names weigh more; words found only in its context count half), and a small bonus
   when the unit holds what the question asks for: a number for a quantity or a time, a name for "who", a
   path for "where on disk", a CVE, an address, a URL, a variable, a quoted name, a version
   (:data:`_ANSWER_KINDS`).
3. :func:`extractive_answer` writes the best unit as ``<sentence> [n]``: markup removed, whitespace collapsed,
   citation markers inside it neutralised (a document cannot add a source), a unit too short to stand alone
   joined with the one after it; a unit too long to quote whole quoted from where it holds the question's
   words; a release asked of a change log's entry that does not name one prefixed with the entry's heading.

Everything here is pure: no model, no I/O. Passages are either the raw text a tool kept in its artifact (line
structure intact) or the quoted one-line form the model reads (``tools.quoting``); both split the same way.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

Similarity = Callable[[str, Sequence[str]], Sequence[float] | None]
"""``similarity(question, texts)``: closeness in meaning of each text to the question (cosine), or None."""

CONTEXT_WEIGHT = 0.5
"""How much of a unit's closeness in meaning comes from its context (heading, preceding question)."""
LEXICAL_WEIGHT = 0.6
"""Weight of the share of the question's content words found in a unit."""
NUMBER_BONUS = 0.08
"""For a unit holding a number when the question asks how many/much/long, when, which version..."""
RARITY_FLOOR = 0.2
"""What a word found in every unit still weighs (times its weight): it tells the units apart no more."""
PERSON_BONUS = 0.08
"""For a unit naming someone (two capitalised words, an e-mail address) when the question asks who."""
KIND_BONUS = 0.1
"""For a unit holding the kind of thing the question asks for (:data:`_ANSWER_KINDS`: a path for "where on
disk", a CVE for "which CVE", a quoted name for "what is it called")."""
RANK_PENALTY = 0.02
"""Per place a passage is below the first in the search results (the retriever's own judgement)."""
MIN_WORDS = 6
TITLE_WORDS = 10
"""A paragraph of one line, at most this many words and no final full stop, is a title."""
INLINE_TITLE_WORDS = 6
"""A paragraph's first line of at most this many words can be a title written above its text."""
HEADING_PENALTY = 0.05
"""Headings match a question's topic more than they answer it: they must score clearly higher to be chosen."""
"""A unit with fewer words is joined with the next one of its block ("Yes." says little alone)."""
FIELD_SHARE = 0.6
"""A paragraph whose lines are mostly ``Name: value`` fields is a record: each field is a unit."""
NEIGHBOUR_MARGIN = 0.25
"""A sentence next to the chosen one is quoted too when it scores at most this much less..."""
NEIGHBOUR_RANKS = 3
"""...and is among this many best units."""
MAX_ANSWER_CHARS = 400

_STOPWORD_TEXT = """a an the of to in on at by for with from into about as and or but if then than so not no nor is are
    was were be been being am do does did done have has had having can could will would shall should may
    might must i me my mine we us our you your he him his she her it its they them their this that these
    those there here what which who whom whose when where why how whether any some all each every many much
    more most long often please tell know say says said according document documents notes file files
    doc docs get got one ones use used using just also only very other such own same"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_QUANTITY_QUESTION = re.compile(
    r"\b(?:how\s+(?:many|much|long|old|far|big|large|high|soon|late|early)|when|what\s+time|what\s+year"
    r"|what\s+date|which\s+(?:year|date|day|version|number)|what\s+(?:version|number|percentage|price|cost"
    r"|size|age|amount)|until\s+when|since\s+when|which\s+\w+\s+number)\b",
    re.I,
)

_VERSION = re.compile(r"\b\d+\.\d+")
_DIGIT = re.compile(r"\d")
_ANSWER_KINDS: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = tuple(
    (re.compile(asked, re.I), re.compile(held))
    for asked, held in (
        # "where do my keys end up on disk?": "~/.gnupg/private-keys-v1.d/"
        (
            r"\bwhere\b.*\b(?:disk|stored?|saved?|kept|keeps?|put|located|installed|live|lives|end\s+up|goes?)\b"
            r"|\b(?:which|what)\s+(?:directory|folder|path|file)\b|\bpath\b",
            r"(?:^|[\s\"'“(])(?:~|\.{1,2})?/[\w.-]+|\b[\w.-]+/[\w.-]+/",
        ),
        (r"\bCVEs?\b", r"\bCVE-\d{4}-\d+"),  # "which CVE did 1.4 fix?"
        (r"\be-?mail\b|\bmailing\s+list\b|\baddress\b", r"[\w.+-]+@[\w-]+\.[\w.]+"),
        (
            r"\b(?:website|web\s*site|web\s+page|url|homepage|home\s+page|online|link)\b",
            r"https?://|\bwww\.|\.(?:org|com|net|io)\b",
        ),
        (r"\b(?:environment\s+)?variables?\b", r"\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b|(?<![-\w])[A-Z]{4,}(?![-\w])"),
        (r"\bsignals?\b", r"\bSIG[A-Z]{2,}\b"),
        (r"\b(?:permissions?|mode)\b", r"\b0?[0-7]{3,4}\b"),  # "what permissions should .my.cnf have?": 0600
        (r"\bport\b", r"\b\d{2,5}\b"),
        # "how do I get into the database as admin?": "sudo mysql"; "which script runs the tests?": playTest.sh
        (
            r"\bhow\s+(?:do|can|should|would)\s+(?:i|we)\b|\bhow\s+to\b|\b(?:which|what)\s+(?:command|script|option|flag)",
            r"\bsudo\s+\w|\bmake\s+[\w-]+|(?:^|\s)[a-z][\w.+-]*\s+--?[a-zA-Z][\w-]*|\b[\w-]+\.(?:sh|py|pl)\b",
        ),
        # "what is the cache file called by default?": 'Default: "galera.cache"'
        (r"\b(?:called|named|name\s+of)\b", r"[\"“‘][^\"”’\s]{2,40}[\"”’]|\b[\w-]+\.[a-z]{1,5}\b"),
        (r"\b(?:version|release)\b", _VERSION.pattern),
    )
)
"""What a question asks for by its words (``where ... on disk``) and how a unit holds one (a path)."""
_MARKER = re.compile(r"\[(\d{1,3})\]")
_TAGS = re.compile(r"</?passage>|<[^>\n]{1,200}>")
_AUTOLINK = re.compile(r"<((?:https?|ftp)://[^>\s]{1,200}|[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+)>")
"""An address or a link written in angle brackets ("report bugs to <bug-wget@gnu.org>"): text, not a tag."""
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]|\x1b\[[0-9;?]*[A-Za-z]")
_BULLET = re.compile(r"^\s*(?:[-*+•◦‣]|\d{1,3}[.)]|[a-z][.)])\s+(?=\S)")
_HEADING = re.compile(r"^\s*#{1,6}\s+\S")
_UNDERLINE = re.compile(r"^\s*(?:={3,}|-{3,}|~{3,})\s*$")
_TABLE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:[|+]\s*:?-{2,}:?\s*)*\|?\s*$")
_QA_PREFIX = re.compile(r"^\s*(?:\*\*|__)?(?:q|question|a|answer)\s*[.:)]\s*(?:\*\*|__)?\s*", re.I)
_QUESTION_PREFIX = re.compile(r"^\s*(?:\*\*|__)?(?:q|question)\s*[.:)]", re.I)
_ABBREVIATION_TEXT = (
    "e.g i.e etc vs cf approx dr mr mrs ms st no nos fig inc ltd co jr sr prof dept est min max vol"
)
_ABBREVIATIONS = frozenset(_ABBREVIATION_TEXT.split())
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])")
_PERSON = re.compile(
    r"(?<!^)(?<![.!?]\s)\b[A-Z][a-z]+(?:\s+[A-Z]\.)?\s+[A-Z][a-z'’]+|\b[\w.+-]+@[\w-]+\.[\w.]+"
)
_FIELD = re.compile(r"^\s*[A-Za-z][\w ./()-]{0,30}:\s+\S")
_LEADERS = re.compile(r"\S\s*\.{3,}\s*\S")
_WORD = re.compile(r"[\w][\w'.\-/]*\w|\w")


@dataclass(frozen=True)
class Unit:
    """One candidate answer from a passage."""

    source: str
    """The passage's number, as cited: ``"1"`` for ``[1]``."""
    text: str
    """The unit as it would be quoted (markup removed, one line)."""
    context: str = ""
    """The heading or question it sits under (scored, never quoted)."""
    block: int = 0
    """Units of one paragraph, list item or table share a block number (for joining short units)."""
    heading: bool = False
    """A heading or a title line: quoted with the sentence that follows it."""


@dataclass(frozen=True)
class Scored:
    """A unit with its score (higher is better)."""

    unit: Unit
    score: float


# ----------------------------------------------------------------------------------------- splitting


def clean(text: str) -> str:
    """``text`` on one line without markup: passage tags, HTML tags, markdown emphasis, code and link syntax,
    control characters; citation markers ``[n]`` become ``(n)``; spaces before punctuation closed up (HTML
    converted to text leaves "LIBFFI_TMPDIR ." behind)."""
    text = _CONTROL.sub(" ", _TAGS.sub(" ", _AUTOLINK.sub(r"\1", text)))
    text = re.sub(r"!?\[([^\]\n]*)\]\((?:[^)\s]*)\)", r"\1", text)  # [label](url) -> label
    text = re.sub(r"(\*\*|__|`+)", "", text)
    text = re.sub(r"(?<!\w)\*(?=\S)([^*\n]+)(?<=\S)\*(?!\w)", r"\1", text)
    text = _MARKER.sub(r"(\1)", text)
    text = " ".join(text.split())
    text = re.sub(
        r"\s+([.,;:!?)\]])(?=[\s.,;:!?)\]\"']|$)", r"\1", text
    )  # not ".LOW_RESOLUTION_TIME", "./jq"
    text = re.sub(r"([(\[])\s+", r"\1", text)
    return text.strip()


def split_sentences(text: str) -> list[str]:
    """Sentences of one paragraph (already on one line). Does not split after initials ("Philip A. Nelson"),
    common abbreviations ("e.g.") or numbers ("version 2. 0" never happens; "No. 5" stays whole)."""
    sentences: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        before = text[start : match.start()].rstrip("\"')]")
        last = before.rsplit(None, 1)[-1] if before.split() else ""
        word = last.rstrip(".!?").lower()
        if last.endswith(".") and (len(word) == 1 or word in _ABBREVIATIONS or re.fullmatch(r"\w\.\w", word)):
            continue
        sentences.append(text[start : match.start()].strip())
        start = match.end()
    sentences.append(text[start:].strip())
    return [sentence for sentence in sentences if sentence]


def _cells(line: str) -> list[str]:
    return [clean(cell) for cell in line.strip().strip("|").split("|")]


def _is_table_row(line: str) -> bool:
    return line.count("|") >= 2 or (line.count("|") == 1 and not line.strip().startswith("|"))


def _is_question(text: str) -> bool:
    return bool(_QUESTION_PREFIX.match(text)) or text.rstrip(" *_").endswith("?")


def _is_record(lines: Sequence[str]) -> bool:
    """Whether most of the outermost lines are ``Name: value`` fields (indented lines continue a field)."""
    indents = [len(line.expandtabs()) - len(line.expandtabs().lstrip()) for line in lines]
    outer = [line for line, indent in zip(lines, indents, strict=True) if indent == min(indents)]
    return len(outer) >= 2 and sum(bool(_FIELD.match(line)) for line in outer) >= FIELD_SHARE * len(outer)


def _is_price_list(lines: Sequence[str]) -> bool:
    """Whether most lines are items with dotted leaders ("Duvet, double ........ 22.00")."""
    return sum(bool(_LEADERS.search(line)) for line in lines) >= FIELD_SHARE * len(lines)


def _title_then_text(lines: Sequence[str]) -> bool:
    """Whether a paragraph's first line is a title of its own: short, no punctuation at its end, and followed
    by a capitalised line (a hard-wrapped sentence's first line is long and reads on)."""
    if len(lines) < 2 or _is_record(lines):
        return False
    first, second = lines[0].strip(), lines[1].strip()
    return (
        len(first.split()) <= INLINE_TITLE_WORDS
        and len(first) < len(second)
        and not first.endswith((".", ",", ";", ":", "!", "?", "-", "("))
        and second[:1].isupper()
    )


def _title_level(line: str, underline: str) -> int:
    """Where a title ranks (lower is higher): markdown ``#`` levels, then underlined titles (``=`` above
    ``-``), then one-line titles by their indentation (a changelog's version line above its author lines)."""
    if _HEADING.match(line):
        return len(line.strip()) - len(line.strip().lstrip("#")) - 20
    if underline:
        return -10 if underline.strip().startswith("=") else -9
    return len(line) - len(line.lstrip())


def passage_units(text: str, source: str = "1", title: str = "") -> list[Unit]:
    """The candidate units of one passage (see the module docstring), in document order. ``title``, the
    title of the document the passage comes from, is context for all of them."""
    lines = text.splitlines()
    units: list[Unit] = []
    # the titles the current line sits under, outermost first
    titles: list[tuple[int, str]] = [(-100, clean(title))] if clean(title) else []
    question = ""
    header: list[str] | None = None
    block = 0
    paragraph: list[str] = []
    item = False  # the paragraph is a list item

    def context() -> str:
        return " ".join(dict.fromkeys([*(title for _, title in titles), question])).strip()

    def add_title(level: int, title: str, *, quotable: bool = True) -> None:
        nonlocal question, block
        while titles and titles[-1][0] >= level:
            titles.pop()
        block += 1
        if quotable:
            units.append(Unit(source, title, context(), block, heading=True))
        titles.append((level, title.rstrip(":").strip()))
        question = ""

    def flush() -> None:
        nonlocal question, block, item
        if not paragraph:
            return
        is_item, item = item, False
        if not is_item and _title_then_text(paragraph):
            # "Sowing and planting" on the line above its text, without a blank line or underline
            add_title(_title_level(paragraph[0], ""), clean(paragraph.pop(0)))
        raw = " ".join(line.strip() for line in paragraph)
        first, count, lines_of = paragraph[0], len(paragraph), list(paragraph)
        paragraph.clear()
        body = clean(raw)
        if not body:
            return
        if _is_question(body):  # an FAQ's question: the context of what follows, never an answer
            question = clean(_QA_PREFIX.sub("", raw))
            return
        short = count == 1 and 2 <= len(body.split()) <= TITLE_WORDS
        ended = body.rstrip("\"')]’”").endswith((".", "!", "?"))
        if short and (body.endswith(":") or (not is_item and not ended)):
            # a title line ("Reserved uids:", "pkg (1.2-1) unstable; urgency=medium"): context for what follows
            add_title(_title_level(first, ""), body, quotable=not body.endswith(":"))
            return
        block += 1
        # "Author: ...", "Version: ..." lines: a record; "Duvet, single ...... 18.00" lines: a price list;
        # one unit per field or item (with its continuation lines)
        starts = _FIELD if _is_record(lines_of) else _LEADERS if _is_price_list(lines_of) else None
        if count >= 2 and starts is not None:
            fields: list[str] = []
            for line in lines_of:
                if starts.search(line) or not fields:
                    fields.append(line.strip())
                else:
                    fields[-1] = f"{fields[-1]} {line.strip()}"
            units.extend(Unit(source, clean(field), context(), block) for field in fields if clean(field))
            return
        for sentence in split_sentences(clean(raw)):
            if not _is_question(sentence):  # an answer's "A." goes (also inside a passage on one line)
                units.append(Unit(source, clean(_QA_PREFIX.sub("", sentence)), context(), block))

    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if not line.strip():
            flush()
            header = None
            continue
        if _UNDERLINE.match(line):
            continue  # the underline of a title (read with it) or a rule
        underlined = bool(_UNDERLINE.match(following)) and not _is_table_row(line)
        if _HEADING.match(line) or underlined:
            flush()
            add_title(_title_level(line, following if underlined else ""), clean(line.strip().lstrip("#")))
            header = None
            continue
        if _TABLE_SEPARATOR.match(line) and "-" in line:
            continue
        if _is_table_row(line) and not _BULLET.match(line):
            flush()
            cells = _cells(line)
            if header is None:  # the first row names the columns (with or without a separator line)
                header = cells
                continue
            pairs = [
                f"{name}: {value}" if name and name.lower() != value.lower() else value
                for name, value in zip(header, cells, strict=False)
                if value
            ]
            if pairs:
                block += 1
                units.append(Unit(source, "; ".join(pairs), context(), block))
            continue
        if _BULLET.match(line):
            flush()
            paragraph.append(_BULLET.sub("", line))
            item = True
            continue
        paragraph.append(line)
    flush()
    return units


# ------------------------------------------------------------------------------------------- scoring


def _stem(word: str) -> str:
    """A crude stem, the same for a word's common forms: "descale", "descaled", "descales" -> "descal"."""
    word = word.lower().strip("'.-/")
    for suffix in ("ing", "ies", "es", "ed", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            word = word[: -len(suffix)]
            break
    return word[:-1] if len(word) > 4 and word.endswith("e") else word


def content_words(question: str) -> dict[str, float]:
    """The question's content words (stemmed) with their weights: numbers and codes 2, names 1.5, others 1."""
    words: dict[str, float] = {}
    tokens = _WORD.findall(question)
    for index, token in enumerate(tokens):
        lower = token.lower()
        if lower in _STOPWORDS or (len(lower) < 2 and not lower.isdigit()):
            continue
        weight = 1.0
        if any(c.isdigit() for c in token):
            weight = 2.0
        elif index > 0 and token[0].isupper():
            weight = 1.5
        stem = _stem(token)
        words[stem] = max(words.get(stem, 0.0), weight)
    return words


def names_what_is_asked(question: str, sentence: str) -> bool:
    """Whether ``sentence`` shares a content word (not a number) with ``question``: the figure of a sentence
    about something else ("Child single: 3.20" for monthly passes) is not computed with."""
    return bool(shared_words(question, sentence))


def shared_words(question: str, text: str) -> set[str]:
    """The content words (stemmed; not numbers) of ``question`` that ``text`` also has."""
    asked = {stem for stem, weight in content_words(question).items() if weight < 2.0}
    return asked & stems(text)


def stems(text: str) -> set[str]:
    """The stems of ``text``'s words, and of each part of a joined one ("base-files": "base", "files")."""
    found = {_stem(token) for token in _WORD.findall(text)}
    # "base-files" also counts as "base" and "files"; "/etc/profile" as "profile"
    for token in re.findall(r"[\w]+", text):
        found.add(_stem(token))
    return found


def lexical_overlap(words: Mapping[str, float], unit: Unit) -> float:
    """The weighted share of ``words`` found in the unit (full weight) or only in its context (half)."""
    total = sum(words.values())
    if not total:
        return 0.0
    own = stems(unit.text)
    around = stems(unit.context)
    found = sum(
        weight if word in own else weight / 2 if word in around else 0.0 for word, weight in words.items()
    )
    return found / total


def rarity_weighted(words: Mapping[str, float], units: Sequence[Unit]) -> dict[str, float]:
    """``words`` with each weight multiplied by how rare the word is among ``units`` (inverse document
    frequency): "mysql" in one table row tells more than "uid" in every row."""
    unit_stems = [stems(f"{unit.text} {unit.context}") for unit in units]
    count = len(unit_stems)
    return {
        word: weight
        * (RARITY_FLOOR + math.log((1 + count) / (1 + sum(word in found for found in unit_stems))))
        for word, weight in words.items()
    }


def rank_units(
    question: str,
    units: Sequence[Unit],
    similarity: Similarity | None = None,
    *,
    source_order: Sequence[str] = (),
) -> list[Scored]:
    """``units`` best first for ``question`` (see the module docstring); lexical alone without ``similarity``."""
    if not units:
        return []
    words = rarity_weighted(content_words(question), units)
    meaning = similarity(question, [unit.text for unit in units]) if similarity else None
    contexts = sorted({unit.context for unit in units if unit.context})
    around: dict[str, float] = {}
    if similarity and contexts:
        around = dict(zip(contexts, similarity(question, contexts) or [], strict=False))
    wants_number = bool(_QUANTITY_QUESTION.search(question))
    wants_person = bool(re.search(r"\bwho(?:m|se)?\b", question, re.I))
    kinds = _kinds_named(question)  # a number has its own bonus
    ranks = {source: place for place, source in enumerate(source_order)}
    scored: list[Scored] = []
    for index, unit in enumerate(units):
        score = LEXICAL_WEIGHT * lexical_overlap(words, unit)
        if meaning is not None:
            own = float(meaning[index])
            if unit.context in around:
                own = max(own, (1 - CONTEXT_WEIGHT) * own + CONTEXT_WEIGHT * around[unit.context])
            score += own
        if wants_number and _DIGIT.search(unit.text):
            score += NUMBER_BONUS
        if wants_person and _PERSON.search(unit.text):
            score += PERSON_BONUS
        if any(held.search(unit.text) for held in kinds):
            score += KIND_BONUS
        score -= RANK_PENALTY * ranks.get(unit.source, 0) + (HEADING_PENALTY if unit.heading else 0.0)
        scored.append(Scored(unit, score))
    return sorted(scored, key=lambda item: -item.score)


# ------------------------------------------------------------------------------------------- answers


def _with_followers(best: Unit, units: Sequence[Unit]) -> str:
    """The unit's text, joined with the next units of its block while it is too short or ends with ':'."""
    text = best.text
    index = units.index(best)
    if best.heading:  # a title says what follows it: quote both
        after = next((u for u in units[index + 1 :] if u.source == best.source and not u.heading), None)
        return f"{text.rstrip(':')}: {after.text}" if after else text
    for follower in units[index + 1 :]:
        if follower.block != best.block or follower.source != best.source:
            break
        if len(text.split()) >= MIN_WORDS and not text.endswith(":"):
            break
        text = f"{text} {follower.text}"
    return text


def _cited(text: str, source: str) -> str:
    if text.startswith("(") and text.endswith(")") and text.count("(") == 1:
        text = text[1:-1]  # a whole sentence in brackets: "(Next allocation: 64070.)"
    if len(text) > MAX_ANSWER_CHARS:
        text = text[:MAX_ANSWER_CHARS].rsplit(" ", 1)[0] + " …"
    text = text.rstrip()
    if text.endswith((".", "!", "?", "…")):
        return f"{text[:-1]} [{source}]{text[-1]}" if text[-1] != "…" else f"{text} [{source}]"
    return f"{text} [{source}]."


def extractive_answer(
    question: str,
    passages: Mapping[str, str],
    similarity: Similarity | None = None,
    *,
    attempt: int = 0,
    titles: Mapping[str, str] | None = None,
    prefer: Callable[[str], bool] | None = None,
) -> str | None:
    """The answer to ``question`` from numbered ``passages`` (``{"1": text, ...}``, best first): the best
    unit, or for ``attempt`` k the (k+1)-th best (a revision is a different draft), as ``<sentence> [n].``
    ``titles``: the title of each passage's document, where known; ``prefer``: units to choose first, where
    any is. None when the passages hold no candidate sentence."""
    found = ranking(question, passages, similarity, titles=titles).answering_text(
        attempt=attempt, prefer=prefer
    )
    return _cited(*found) if found else None


def answering_text(
    question: str,
    passages: Mapping[str, str],
    similarity: Similarity | None = None,
    *,
    attempt: int = 0,
    titles: Mapping[str, str] | None = None,
    neighbours: bool = True,
) -> tuple[str, str] | None:
    """What :func:`extractive_answer` quotes, uncited: the best unit's text (with its short followers, and
    with ``neighbours`` a close neighbour) and the number of its passage; None when the passages hold no
    candidate sentence."""
    return ranking(question, passages, similarity, titles=titles).answering_text(
        attempt=attempt, neighbours=neighbours
    )


@dataclass(frozen=True)
class Ranking:
    """The units of some passages in their order, and the same units scored for a question, best first:
    ranked once (the closeness in meaning embeds every unit), read for the answer and for a calculation."""

    units: list[Unit]
    scored: list[Scored]
    question: str = ""

    def answering_text(
        self, *, attempt: int = 0, neighbours: bool = True, prefer: Callable[[str], bool] | None = None
    ) -> tuple[str, str] | None:
        """See :func:`answering_text`; ``prefer``: the units it holds true of come first (the sentence with the
        figure a calculation took)."""
        scored = [item for item in self.scored if prefer(item.unit.text)] if prefer else []
        scored = scored or self.scored
        if not scored:
            return None
        best = scored[attempt % len(scored)]
        text = _with_followers(best.unit, self.units)
        neighbour = _close_neighbour(best, self.scored, self.units) if neighbours else None
        if neighbour is not None:
            first, second = sorted((best.unit, neighbour), key=self.units.index)
            text = f"{first.text} {second.text}"
        elif (
            neighbours and not _RELEASE_ASKED.search(self.question) and (kinds := _kinds_asked(self.question))
        ):
            text = _with_neighbour_holding(best.unit, text, self.units, kinds)
        if len(text) > MAX_ANSWER_CHARS:
            text = _window(text, self.question)
        if (
            _RELEASE_ASKED.search(self.question)
            and not _VERSION.search(text)
            and (heading := _release_above(best.unit, self.units))
        ):
            text = f"{heading.rstrip(':. ')}: {text}"
        return text, best.unit.source


def ranking(
    question: str,
    passages: Mapping[str, str],
    similarity: Similarity | None = None,
    *,
    titles: Mapping[str, str] | None = None,
) -> Ranking:
    """The units of ``passages`` ranked for ``question`` (:func:`rank_units`)."""
    titles = titles or {}
    units = [
        unit
        for source, text in passages.items()
        for unit in passage_units(text, source, titles.get(source, ""))
    ]
    return Ranking(units, rank_units(question, units, similarity, source_order=list(passages)), question)


def _kinds_named(question: str) -> list[re.Pattern[str]]:
    """How a unit holds what ``question`` asks for by its words (:data:`_ANSWER_KINDS`)."""
    return [held for asked, held in _ANSWER_KINDS if asked.search(question)]


def _kinds_asked(question: str) -> list[re.Pattern[str]]:
    """:func:`_kinds_named`, and a number for a quantity or a time."""
    kinds = _kinds_named(question)
    return [*kinds, _DIGIT] if _QUANTITY_QUESTION.search(question) else kinds


def _with_neighbour_holding(
    best: Unit, text: str, units: Sequence[Unit], kinds: Sequence[re.Pattern[str]]
) -> str:
    """``text`` (the best unit's), joined with the sentence right after it or before it in its paragraph
    when that one holds what the question asks for and it does not: "... your application will likely dump core.
    The kernel maps that key to ^\\, which generates a SIGQUIT by default." """
    if any(kind.search(text) for kind in kinds):
        return text
    index = units.index(best)
    for other in (index + 1, index - 1):
        if not 0 <= other < len(units):
            continue
        unit = units[other]
        # the sentence before, of its paragraph; the one after, of its paragraph or the next
        if (
            (unit.block == best.block or other > index)
            and unit.source == best.source
            and not unit.heading
            and any(kind.search(unit.text) for kind in kinds)
        ):
            return f"{text} {unit.text}" if other > index else f"{unit.text} {text}"
    return text


WINDOW_LEAD = 120
"""How many characters of a long unit are quoted before the first of the question's words it holds."""


def _window(text: str, question: str) -> str:
    """A unit too long to quote whole, from a little before the first place it holds the question's rarest
    words (a long list of tickets: "... 9037 Fix krb5_set_password race condition ..."), marked as cut."""
    words = sorted(content_words(question).items(), key=lambda item: (-item[1], -len(item[0])))
    for word, _ in words:
        if found := re.search(rf"(?<!\w){re.escape(word)}", text, re.I):
            if found.start() + len(word) <= MAX_ANSWER_CHARS - WINDOW_LEAD:
                return text  # already within what is quoted
            start = text.rfind(" ", 0, max(found.start() - WINDOW_LEAD, 0)) + 1
            return f"… {text[start:]}"
    return text


_RELEASE_ASKED = re.compile(
    r"\b(?:which|what)\s+(?:[\w.-]+\s+){0,3}(?:release|version|revision|upload)\b"
    r"|\bwhen\s+(?:was|were|did)\b.*\b(?:fix|fixed|add|added|introduced?|removed?|changed?|dropped?)\b",
    re.I,
)
"""A question asking in which release something changed: a change log says it in the entry's heading."""
RELEASE_HEADING_WORDS = 14
"""A line above an entry naming a release ("Noteworthy changes in release 1.12 (2022-04-07)") is this short."""


def _release_above(unit: Unit, units: Sequence[Unit]) -> str | None:
    """The nearest short line above ``unit`` in its passage that names a version: the heading of a change
    log's entry ("Noteworthy changes in release 1.12", "cscope (15.9-1) unstable"), which the entry's own
    lines do not repeat."""
    for above in reversed(units[: units.index(unit)]):
        if above.source != unit.source:
            break
        if _VERSION.search(above.text) and len(above.text.split()) <= RELEASE_HEADING_WORDS:
            return above.text
    return None


def _close_neighbour(best: Scored, ranked: Sequence[Scored], units: Sequence[Unit]) -> Unit | None:
    """The sentence right before or after the chosen one in its paragraph, when it scores almost as well:
    the answer then quotes both ("X is not reliable. Y is a better way.")."""
    index = units.index(best.unit)
    for other in ranked[1:NEIGHBOUR_RANKS]:
        if best.score - other.score > NEIGHBOUR_MARGIN:
            break
        unit = other.unit
        same_block = unit.block == best.unit.block and unit.source == best.unit.source
        if same_block and not unit.heading and abs(units.index(unit) - index) == 1:
            return unit
    return None
