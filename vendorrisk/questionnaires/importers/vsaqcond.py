"""VSAQ `cond` expressions: parse them, and say them as our show_if conditions.

VSAQ reads `&&`, `||` and `!` with parentheses, strictly left to right with no precedence
between `&&` and `||` (`a || b && c` is `(a || b) && c`), as its own evaluator does. A name is
an item id, optionally `^id` (the item is shown), `id/yes`, `id/no` or `id/value`; `false` is
false. Function calls such as `matches(...)` are parsed but cannot become a show_if.
"""

from __future__ import annotations

from dataclasses import dataclass

_SPECIAL = ' ()!&|,"'


class CondSyntaxError(ValueError):
    """A cond that does not parse; `position` is 1-based."""

    def __init__(self, position: int, reason: str):
        super().__init__(f"at character {position}: {reason}")
        self.position, self.reason = position, reason


class Unsupported(ValueError):
    """A cond that parses but has no show_if equivalent."""


@dataclass(frozen=True)
class Name:
    text: str


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple


@dataclass(frozen=True)
class NotOf:
    operand: object


@dataclass(frozen=True)
class Binary:
    op: str  # "&&" or "||"
    left: object
    right: object


def _tokens(text: str) -> list[tuple[str, str, int]]:
    tokens, i, n = [], 0, len(text)
    while i < n:
        ch = text[i]
        if ch == " ":
            i += 1
        elif ch in "()!,":
            tokens.append((ch, ch, i + 1))
            i += 1
        elif ch in "&|":
            if text[i : i + 2] != ch * 2:
                raise CondSyntaxError(i + 1, f"write '{ch * 2}', not a single '{ch}'")
            tokens.append((ch * 2, ch * 2, i + 1))
            i += 2
        elif ch == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            if j >= n:
                raise CondSyntaxError(i + 1, "a quoted string is not closed")
            tokens.append(("str", text[i + 1 : j], i + 1))
            i = j + 1
        else:
            j = i
            while j < n and text[j] not in _SPECIAL:
                j += 1
            tokens.append(("name", text[i:j], i + 1))
            i = j
    return tokens


class _Parser:
    def __init__(self, text: str):
        self.tokens = _tokens(text)
        self.i = 0
        self.end = len(text) + 1

    def peek(self) -> tuple[str, str, int]:
        return self.tokens[self.i] if self.i < len(self.tokens) else ("end", "", self.end)

    def take(self) -> tuple[str, str, int]:
        token = self.peek()
        self.i += 1
        return token

    def expression(self) -> object:
        node = self.unary()
        while self.peek()[0] in ("&&", "||"):
            op = self.take()[0]
            node = Binary(op, node, self.unary())
        return node

    def unary(self) -> object:
        if self.peek()[0] == "!":
            self.take()
            return NotOf(self.unary())
        return self.primary()

    def primary(self) -> object:
        kind, value, position = self.take()
        if kind == "(":
            node = self.expression()
            self.expect(")", position)
            return node
        if kind == "str":
            return Text(value)
        if kind == "name":
            if self.peek()[0] == "(":
                opening = self.take()[2]
                args = [self.expression()]
                while self.peek()[0] == ",":
                    self.take()
                    args.append(self.expression())
                self.expect(")", opening)
                return Call(value, tuple(args))
            return Name(value)
        if kind == "end":
            raise CondSyntaxError(position, "the condition ends where a name was expected")
        raise CondSyntaxError(position, f"expected a name, '(' or '!', found '{value}'")

    def expect(self, kind: str, opening: int) -> None:
        found, value, position = self.take()
        if found != kind:
            where = "the end" if found == "end" else f"'{value}'"
            raise CondSyntaxError(position, f"the '(' at character {opening} is closed by {where}")


def parse(text: str) -> object:
    """Parse a cond; raise CondSyntaxError for one VSAQ would refuse."""
    parser = _Parser(text)
    if not parser.tokens:
        raise CondSyntaxError(1, "the condition is empty")
    node = parser.expression()
    kind, value, position = parser.peek()
    if kind != "end":
        raise CondSyntaxError(position, f"'{value}' follows a complete condition")
    return node


def names(node: object) -> list[str]:
    """Return every name a parsed cond uses, in order."""
    if isinstance(node, Name):
        return [node.text]
    if isinstance(node, NotOf):
        return names(node.operand)
    if isinstance(node, Binary):
        return names(node.left) + names(node.right)
    if isinstance(node, Call):
        return [n for a in node.args for n in names(a)]
    return []


# Our conditions as data; True and False stand for conditions that always / never hold.
Condition = dict | bool


def both(a: Condition, b: Condition) -> Condition:
    """Return a and b, folding constants."""
    if a is False or b is False:
        return False
    if a is True:
        return b
    if b is True:
        return a
    parts = [*(a["all"] if "all" in a else [a]), *(b["all"] if "all" in b else [b])]
    return {"all": parts}


def either(a: Condition, b: Condition) -> Condition:
    """Return a or b, folding constants."""
    if a is True or b is True:
        return True
    if a is False:
        return b
    if b is False:
        return a
    parts = [*(a["any"] if "any" in a else [a]), *(b["any"] if "any" in b else [b])]
    return {"any": parts}


def negate(a: Condition) -> Condition:
    """Return not a, folding constants and double negation."""
    if isinstance(a, bool):
        return not a
    return a["not"] if set(a) == {"not"} else {"not": a}


def convert(node: object, resolve) -> Condition:
    """Say a parsed cond as our condition; `resolve(name)` says one name (or raises)."""
    if isinstance(node, Name):
        return resolve(node.text)
    if isinstance(node, NotOf):
        return negate(convert(node.operand, resolve))
    if isinstance(node, Binary):
        left, right = convert(node.left, resolve), convert(node.right, resolve)
        return both(left, right) if node.op == "&&" else either(left, right)
    if isinstance(node, Call):
        raise Unsupported(f"the function {node.name}() has no show_if equivalent")
    raise Unsupported("a quoted string on its own has no show_if equivalent")
