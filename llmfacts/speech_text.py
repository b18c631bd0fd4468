"""What the voice says for what the subtitles show: symbols as words, numbers as a person reads them.

:func:`spoken_form` turns a narration line as written on screen into the words a voice should say::

    >>> spoken_form("W↑ has 10,000 rows; ±1° around 89°.")
    'W up has ten thousand rows; plus or minus one degree around eighty-nine degrees.'
    >>> spoken_form("GPT-3 keeps 66.2% of its weights in MLPs, 1/√d each.")
    'G P T three keeps sixty-six point two percent of its weights in M L Ps, one over the square root of d each.'

It leaves plain words alone, so it can be applied to a line that is already spoken (a scene's explicit
``spoken=`` text may mix words and computed numbers: ``f"about {format_in_words(n)} weights"`` is said
"about six hundred and four million weights").

Numbers are read in British style, with "and" after the hundreds ("six hundred and four"), decimals
digit by digit after "point" ("zero point zero three"), a leading minus as "minus". The helpers
:func:`number_words`, :func:`ordinal_words` and :func:`decimal_words` do the reading; :func:`say_number`
and :func:`say_about` give scenes spoken forms of computed values.

No manim import; no network; pure functions.
"""

from __future__ import annotations

import math
import re

__all__ = [
    "decimal_words",
    "number_words",
    "ordinal_words",
    "say_about",
    "say_number",
    "spoken_form",
    "spoken_tokens",
]

_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_SCALES = ((10**12, "trillion"), (10**9, "billion"), (10**6, "million"), (10**3, "thousand"))
_ORDINAL_IRREGULAR = {"one": "first", "two": "second", "three": "third", "five": "fifth", "eight": "eighth",
                      "nine": "ninth", "twelve": "twelfth"}


def _below_thousand(n: int) -> str:
    hundreds, rest = divmod(n, 100)
    parts = []
    if hundreds:
        parts.append(f"{_ONES[hundreds]} hundred")
    if rest:
        if rest < 20:
            tail = _ONES[rest]
        else:
            tens, ones = divmod(rest, 10)
            tail = _TENS[tens] + (f"-{_ONES[ones]}" if ones else "")
        parts.append(("and " if hundreds else "") + tail)
    return " ".join(parts)


def number_words(n: int) -> str:
    """A whole number in words: ``604 -> 'six hundred and four'``, ``10000 -> 'ten thousand'``,
    ``-3 -> 'minus three'``, ``1_000_005 -> 'one million and five'``.

    Beyond the trillions the count of trillions is read as a number itself (``10**15`` is
    "one thousand trillion").
    """
    n = int(n)
    if n < 0:
        return "minus " + number_words(-n)
    if n < 1000:
        return _ONES[n] if n < 20 else _below_thousand(n)
    parts = []
    rest = n
    for size, word in _SCALES:
        if rest >= size:
            count, rest = divmod(rest, size)
            head = number_words(count) if count >= 1000 else _below_thousand(count)
            parts.append(f"{head} {word}")
    if rest:
        parts.append(("and " if rest < 100 else "") + _below_thousand(rest))
    joiner = ", " if len(parts) > 2 else " "  # a breath between the groups of a long number
    return joiner.join(parts).replace(", and ", " and ")


def ordinal_words(n: int) -> str:
    """``1 -> 'first'``, ``22 -> 'twenty-second'``, ``100 -> 'one hundredth'``."""
    words = number_words(n)
    head, sep, last = words.rpartition(" ")
    head2, dash, unit = last.rpartition("-")
    if unit in _ORDINAL_IRREGULAR:
        unit = _ORDINAL_IRREGULAR[unit]
    elif unit.endswith("y"):
        unit = unit[:-1] + "ieth"
    else:
        unit += "th"
    return head + sep + head2 + dash + unit


def decimal_words(text: str) -> str:
    """A number written with digits (``'0.03'``, ``'-1.5'``, ``'12,288'``) in words."""
    text = text.replace(",", "").replace("\u2212", "-")
    sign = ""
    if text.startswith("-"):
        sign, text = "minus ", text[1:]
    elif text.startswith("+"):
        sign, text = "plus ", text[1:]
    whole, _, fraction = text.partition(".")
    said = number_words(int(whole or "0"))
    if fraction:
        said += " point " + " ".join(_ONES[int(d)] for d in fraction)
    return sign + said


def say_number(value: float, decimals: int = 2) -> str:
    """A computed value as said: rounded to ``decimals`` digits, trailing zeros dropped, never "minus
    zero" (``0.1587 -> 'zero point one six'``, ``2.0 -> 'two'``)."""
    text = f"{float(value):.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if float(text) == 0:
        text = text.lstrip("-")
    return decimal_words(text)


def say_about(n: float) -> str:
    """A big count as a narrator rounds it: three significant digits from ten of a unit up, one decimal
    below ten (``603979776 -> 'about six hundred and four million'``, ``1207959552 -> 'about one point two
    billion'``); exact below a thousand."""
    n = float(n)
    if abs(n) < 1000 and float(n).is_integer():
        return number_words(int(n))
    for size, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million"), (1e3, "thousand")):
        if abs(n) >= size:
            x = n / size
            shown = f"{x:.1f}" if abs(x) < 10 else f"{x:.0f}"
            shown = shown.removesuffix(".0")
            exact = math.isclose(float(shown) * size, n, rel_tol=0, abs_tol=0.5)
            return ("" if exact else "about ") + decimal_words(shown) + " " + word
    return "about " + number_words(round(n))


# ------------------------------------------------------------------------------------------ spoken form
#: Words said for symbols (applied after the rules that need context, such as degrees and arrows).
_SYMBOLS = {
    "±": " plus or minus ", "∓": " minus or plus ", "×": " times ", "·": " dot ", "⊕": " plus ",
    "≈": " about ", "≥": " at least ", "≤": " at most ", "≠": " is not ", "→": " to ", "⇒": " so ",
    "=": " equals ", "+": " plus ", "√": " the square root of ", "∞": " infinity ", "∑": " the sum of ",
    "Σ": " the sum of ", "ε": " epsilon ", "θ": " theta ", "λ": " lambda ", "π": " pi ", "μ": " mu ",
    "σ": " sigma ", "δ": " delta ", "Δ": " delta ", "α": " alpha ", "β": " beta ", "%": " percent ",
    "&": " and ", "⋯": " ", "⋮": " ", "⋱": " ", "…": " ", "✓": " ", "✗": " ", "•": " ", "#": " number ",
    "@": " at ", "~": " about ",
}
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
#: Words spelled letter by letter or said in a set way.
_LEXICON = {
    "ReLU": "relu", "ReLUs": "relus", "GeLU": "gelu", "GELU": "gelu", "LaTeX": "latex", "vs": "versus",
    "e.g.": "for example", "i.e.": "that is", "etc.": "et cetera", "Dr.": "Doctor", "OK": "okay",
    "GPU": "G P U", "GPUs": "G P Us", "DeepMind": "DeepMind", "NASA": "NASA", "d_model": "d model",
    "d_mlp": "d M L P", "JL": "J L",
}
_ACRONYM = re.compile(r"\b([A-Z]{2,5})(s?)\b")
_KEEP_AS_WORD = {"NASA", "ASCII", "LIDAR", "RAM"}
_NUMBER = r"[-−+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"  # 12,288 is one number; "1, 2" two
_MULTIPLIERS = {"k": "thousand", "K": "thousand", "M": "million", "B": "billion", "T": "trillion"}


def _num(match_text: str) -> str:
    return decimal_words(match_text)


def _degrees(m: re.Match) -> str:
    number = m.group(1)
    value = float(number.replace(",", "").replace("−", "-"))
    unit = "degree" if abs(value) == 1 else "degrees"
    return f" {_num(number)} {unit}"


def _power(m: re.Match) -> str:
    base, exponent = m.group(1), m.group(2).translate(_SUPERSCRIPTS)
    e = int(exponent)
    if e == 2:
        return f"{_word_or_number(base)} squared"
    if e == 3:
        return f"{_word_or_number(base)} cubed"
    said = ("minus " + ordinal_words(-e)) if e < 0 else ordinal_words(e)
    return f"{_word_or_number(base)} to the {said}"


def _word_or_number(text: str) -> str:
    return _num(text) if re.fullmatch(_NUMBER, text) else text


def _fraction(m: re.Match) -> str:
    return f"{_word_or_number(m.group(1))} over {m.group(2)}"


def _simple(term: str) -> bool:
    """A number or a one-letter name: what may stand on either side of a spoken fraction bar."""
    return bool(re.fullmatch(_NUMBER, term)) or len(term) == 1


def _letters(m: re.Match) -> str:
    word, plural = m.group(1), m.group(2)
    if word in _KEEP_AS_WORD:
        return m.group(0)
    return " ".join(word) + plural


def spoken_form(text: str) -> str:
    """The words a voice says for ``text`` as shown (see the module's docstring)."""
    s = " ".join(str(text).split())
    # quotes that only mark a word are not said; apostrophes inside words stay
    s = re.sub(r"[“”\"‘]", "", s)
    s = re.sub(r"(?<!\w)'|'(?!\w)|’(?!\w)", "", s)
    s = s.replace("’", "'")
    for written, said in _LEXICON.items():
        s = re.sub(rf"(?<![\w.]){re.escape(written)}(?!\w)", said, s)
    # notation: arrows after a letter (W↑ -> W up), subscripted names
    s = re.sub(r"([A-Za-z])\s*↑", r"\1 up", s)
    s = re.sub(r"([A-Za-z])\s*↓", r"\1 down", s)
    s = s.replace("↑", " up ").replace("↓", " down ")
    s = re.sub(r"(\w)_(\w)", r"\1 \2", s)
    # ranges and dashes: 80–100 -> 80 to 100; Johnson–Lindenstrauss -> Johnson Lindenstrauss
    s = re.sub(rf"({_NUMBER})\s*[–—]\s*({_NUMBER})", r"\1 to \2", s)
    s = re.sub(r"(\w)–(\w)", r"\1 \2", s)
    s = re.sub(r"\s*[—–]\s*", ", ", s)
    # model names and units glued to numbers: GPT-3, 20-D, 175B
    s = re.sub(r"\b([A-Z]{2,5})-(\d+)", lambda m: f"{m.group(1)} {m.group(2)}", s)
    s = re.sub(r"(\d)-?D\b", r"\1 D", s)
    s = re.sub(r"(\d(?:[\d,]*\d)?(?:\.\d+)?)([kKMBT])\b", lambda m: f"{m.group(1)} {_MULTIPLIERS[m.group(2)]}", s)
    # degrees, powers, fractions, percent
    s = re.sub(rf"\s*({_NUMBER})\s*°", _degrees, s)
    s = s.replace("°", " degrees")
    s = re.sub(r"(\w+)\^\{?(-?\d+)\}?", _power, s)
    s = re.sub(r"(\w+)([⁻]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+)", _power, s)
    s = re.sub(r"(?<![\w/])(\w+(?:\.\d+)?)\s*/\s*(√?\s*\w+)(?![\w/])",
               lambda m: _fraction(m) if (_simple(m.group(1)) or _simple(m.group(2).lstrip("√ "))) else m.group(0),
               s)
    s = re.sub(r"(\d)(st|nd|rd|th)\b", lambda m: m.group(1) + "\x00", s)
    # a minus sign before a number (not a hyphen between words)
    s = re.sub(r"(?<![\w.])[-−](?=\d)", "−", s)
    s = re.sub(rf"({_NUMBER}|\b\w)\s+-\s+(?={_NUMBER}|\w\b)", r"\1 − ", s)  # 3 - 2, a - b
    s = s.replace(" − ", " minus ").replace(" - ", ", ")

    def number(m: re.Match) -> str:
        text_ = m.group(0)
        if text_.endswith("\x00"):
            return ordinal_words(int(text_[:-1].replace(",", "")))
        return decimal_words(text_)

    s = re.sub(rf"{_NUMBER.replace('[-−+]?', '[−+]?')}\x00?", lambda m: " " + number(m) + " ", s)
    s = _ACRONYM.sub(_letters, s)
    for symbol, said in _SYMBOLS.items():
        s = s.replace(symbol, said)
    s = s.replace("−", " minus ")
    s = s.replace("/", " ")
    s = re.sub(r"\b(\w+)\((\w+)\)", r"\1 of \2", s)  # f(x) -> f of x
    s = s.replace("(", ", ").replace(")", ", ").replace("[", " ").replace("]", " ")
    # tidy: spaces before punctuation, doubled commas, a hyphen that joined a number to a word
    s = " ".join(s.split())
    s = re.sub(r"(\w) -(?=[A-Za-z])", r"\1-", s)  # 12-dimensional -> twelve-dimensional
    s = re.sub(r"\s+([,.;:!?])", r"\1", s)
    s = re.sub(r",(\s*[,.;:!?])+", lambda m: m.group(0)[-1] if m.group(0)[-1] != "," else ",", s)
    s = re.sub(r"^[,;:\s]+", "", s)
    s = re.sub(r"([.;:!?]),", r"\1", s)
    s = re.sub(r"[\s,;:]+$", "", s)
    return s.strip()


def spoken_tokens(text: str) -> list[str]:
    """The words of ``text`` as a matcher sees them: lower case, letters, digits and apostrophes."""
    return re.findall(r"[\w']+", text.lower())
