"""The lexical view of a query that the runner needs, without a parser: what is a comment,
a string or an IRI (whose text is never a keyword nor a variable), and what is a variable.

``substitute`` puts parameters in place of variables with it, and ``dataset`` uses it to
tell cheaply that a query cannot name a dataset (no FROM keyword outside those).
"""

from __future__ import annotations

import re

#: A comment, a string or an IRI (group ``skip``), or a variable (group ``var``).
TOKENS = re.compile(
    r'(?P<skip>#[^\n]*|"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>)'
    r"|(?P<var>[?$][A-Za-z_][A-Za-z0-9_]*)"
)


def code(text: str) -> str:
    """``text`` with every comment, string, IRI and variable blanked out: what is left are
    keywords, prefixed names, numbers and punctuation.

    >>> code('SELECT ?from { ?s <urn:from> "from" } # from').split()
    ['SELECT', '{', '}']
    """
    return TOKENS.sub(" ", text)
