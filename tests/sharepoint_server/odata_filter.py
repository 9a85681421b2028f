"""The subset of OData ``$filter`` the adapter (and the client library) sends.

expr := term ('or' term)* ; term := factor ('and' factor)* ;
factor := '(' expr ')' | path op literal ; literal := 'text' | number | datetime'...' | true | false | null
Doc: https://learn.microsoft.com/en-us/sharepoint/dev/sp-add-ins/use-odata-query-operations-in-sharepoint-rest-requests
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

_TOKEN = re.compile(
    r"\s*(?:(?P<open>\()|(?P<close>\))|(?P<str>'(?:[^']|'')*')|(?P<dt>datetime'[^']*')"
    r"|(?P<num>-?\d+(?:\.\d+)?)|(?P<word>[A-Za-z_][\w/]*))"
)
OPS = {"eq", "ne", "lt", "le", "gt", "ge"}


class FilterSyntaxError(ValueError):
    pass


@dataclass
class Comparison:
    path: str
    op: str
    value: Any


@dataclass
class BoolOp:
    op: str  # "and" | "or"
    parts: list[Any]


def parse(text: str) -> Any:
    tokens: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise FilterSyntaxError(f"cannot read $filter at {text[pos:]!r}")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        pos = match.end()
    parser = _Parser(tokens)
    tree = parser.expr()
    if parser.index != len(tokens):
        raise FilterSyntaxError("unexpected text after the filter")
    return tree


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.index = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise FilterSyntaxError("the filter ends too early")
        self.index += 1
        return token

    def expr(self) -> Any:
        parts = [self.term()]
        while self.peek() == ("word", "or"):
            self.take()
            parts.append(self.term())
        return parts[0] if len(parts) == 1 else BoolOp("or", parts)

    def term(self) -> Any:
        parts = [self.factor()]
        while self.peek() == ("word", "and"):
            self.take()
            parts.append(self.factor())
        return parts[0] if len(parts) == 1 else BoolOp("and", parts)

    def factor(self) -> Any:
        kind, text = self.take()
        if kind == "open":
            inner = self.expr()
            if self.take()[0] != "close":
                raise FilterSyntaxError("missing ')'")
            return inner
        if kind != "word":
            raise FilterSyntaxError(f"expected a field name, got {text!r}")
        op_kind, op = self.take()
        if op_kind != "word" or op not in OPS:
            raise FilterSyntaxError(f"unknown operator {op!r}")
        return Comparison(text, op, self.literal())

    def literal(self) -> Any:
        kind, text = self.take()
        if kind == "str":
            return text[1:-1].replace("''", "'")
        if kind == "dt":
            return text[len("datetime'") : -1]
        if kind == "num":
            return float(text) if "." in text else int(text)
        if kind == "word" and text in ("true", "false"):
            return text == "true"
        if kind == "word" and text == "null":
            return None
        raise FilterSyntaxError(f"expected a value, got {text!r}")


def fields_used(tree: Any) -> list[str]:
    if isinstance(tree, Comparison):
        return [tree.path]
    return [name for part in tree.parts for name in fields_used(part)]


def evaluate(tree: Any, lookup: Callable[[str], Any]) -> bool:
    if isinstance(tree, BoolOp):
        results = (evaluate(part, lookup) for part in tree.parts)
        return all(results) if tree.op == "and" else any(results)
    left = lookup(tree.path)
    right = tree.value
    if isinstance(left, bool) and isinstance(right, int):
        left = int(left)
    if isinstance(left, str) and isinstance(right, str) and len(right) >= 10 and right[4:5] == "-":
        left, right = left[:19], right[:19]  # compare date-times as ISO text
    if tree.op == "eq":
        return bool(left == right)
    if tree.op == "ne":
        return bool(left != right)
    if left is None or right is None:
        return False
    try:
        return bool(
            {"lt": left < right, "le": left <= right, "gt": left > right, "ge": left >= right}[tree.op]
        )
    except TypeError:
        return False
