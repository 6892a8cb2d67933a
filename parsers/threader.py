"""Threading mails into conversations: JWZ's algorithm as RFC 5256 (REFERENCES) states it.

Owns: containers for every Message-ID seen (ghosts for ids only referenced), linking
References chains, each message's own parent (In-Reply-To preferred when the References
disagree with it, which is how notmuch and most clients read a misspelled References),
loop checks, pruning empty containers, and the optional last-resort grouping of root
threads by RFC 5256 base subject.  Pure: messages in, trees out, deterministic (input
order decides sibling order).  No I/O and no dates are compared here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from mailfeed.parsers.subjects import base_subject, normalize_subject


@dataclass(frozen=True)
class ThreadInput:
    """What threading needs of one mail."""

    message_id: str
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    subject: str = ""


@dataclass
class Node:
    """A container: a message, or a ghost (an id only referenced, `message` None)."""

    message_id: str
    message: ThreadInput | None = None
    parent: Node | None = field(default=None, repr=False)
    children: list[Node] = field(default_factory=list)
    order: int = 1 << 60  # input position of its message, for stable sibling order

    def is_ancestor_of(self, other: Node) -> bool:
        node: Node | None = other
        while node is not None:
            if node is self:
                return True
            node = node.parent
        return False

    def walk(self) -> Iterable[Node]:
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))

    def size(self) -> int:
        """Messages (not ghosts) in this tree."""
        return sum(1 for node in self.walk() if node.message is not None)

    def depth(self) -> int:
        """Longest chain of replies below this node (a root alone has depth 0)."""
        best = 0
        stack = [(self, 0)]
        while stack:
            node, level = stack.pop()
            best = max(best, level)
            stack.extend((child, level + 1) for child in node.children)
        return best


def _link(parent: Node, child: Node) -> None:
    if child.parent is not None:
        child.parent.children.remove(child)
    child.parent = parent
    parent.children.append(child)


def _unlink(child: Node) -> None:
    if child.parent is not None:
        child.parent.children.remove(child)
        child.parent = None


def thread(messages: Iterable[ThreadInput], by_subject: bool = False) -> list[Node]:
    """Root containers of every thread, in order of their earliest message."""
    table: dict[str, Node] = {}

    def container(message_id: str) -> Node:
        node = table.get(message_id)
        if node is None:
            node = table[message_id] = Node(message_id)
        return node

    accepted: list[tuple[Node, list[str]]] = []
    for position, message in enumerate(messages):
        if not message.message_id:
            continue
        node = container(message.message_id)
        if node.message is not None:
            continue  # a second copy of the same mail (lists deliver twice): one is enough
        node.message = message
        node.order = position
        references = [r for r in message.references if r and r != message.message_id]
        accepted.append((node, references))
    # RFC 5256 step 1C, once every message is known: the parent each message declares.
    # In-Reply-To wins over a disagreeing References (a misspelt or reordered id) when
    # it names a mail we have; otherwise the References chain, as RFC 5256 says, is the
    # better witness (list servers such as gmane rewrite In-Reply-To ids).
    for node, references in accepted:
        declared = _declared_parent(node.message, references, table)
        if declared and declared != node.message_id:
            parent = container(declared)
            if not node.is_ancestor_of(parent):
                _link(parent, node)
    # Step 1B: References chains give the ghosts and parentless containers their
    # ancestors, never overriding what a message said itself.
    for _node, references in accepted:
        for older, newer in zip(references, references[1:], strict=False):
            parent, child = container(older), container(newer)
            if child.parent is None and parent is not child and not child.is_ancestor_of(parent):
                _link(parent, child)

    roots = [node for node in table.values() if node.parent is None]
    roots = [r for root in roots for r in _prune(root)]
    if by_subject:
        roots = _group_by_subject(roots)
    _sort(roots)
    return roots


def _declared_parent(
    message: ThreadInput | None, references: list[str], table: dict[str, Node]
) -> str | None:
    if message is None:
        return None
    last = references[-1] if references else None

    def known(message_id: str | None) -> bool:
        return bool(message_id) and message_id in table and table[message_id].message is not None

    if message.in_reply_to and (known(message.in_reply_to) or last is None):
        return message.in_reply_to
    return last


def _prune(node: Node) -> list[Node]:
    """RFC 5256 step 4: drop empty containers; a ghost root keeps its children together
    unless it has only one, which then becomes the root."""
    kept: list[Node] = []
    for child in list(node.children):
        _unlink(child)
        kept.extend(_prune(child))
    for child in kept:
        _link(node, child)
    if node.message is None:
        if not node.children:
            return []
        if node.parent is not None or len(node.children) == 1:
            children = list(node.children)
            for child in children:
                _unlink(child)
            return children
    return [node]


def _first_order(node: Node) -> int:
    return min(n.order for n in node.walk())


def _sort(nodes: list[Node]) -> None:
    nodes.sort(key=lambda n: (_first_order(n), n.message_id))
    for node in nodes:
        _sort(node.children)


def _group_by_subject(roots: list[Node]) -> list[Node]:
    """RFC 5256 step 5 (optional): join root threads that share a base subject."""
    by_base: dict[str, Node] = {}
    result: list[Node] = []
    for root in sorted(roots, key=_first_order):
        subject = _subject_of(root)
        base = base_subject(subject)
        if not base:
            result.append(root)
            continue
        first = by_base.get(base)
        if first is None:
            by_base[base] = root
            result.append(root)
            continue
        first_is_reply = _is_reply(_subject_of(first))
        if first.message is None:
            _link(first, root)
        elif _is_reply(subject) and not first_is_reply:
            _link(first, root)
        elif first_is_reply and not _is_reply(subject):
            _link(root, first)
            result[result.index(first)] = root
            by_base[base] = root
        else:
            ghost = Node(f"subject:{base}")
            result[result.index(first)] = ghost
            _link(ghost, first)
            _link(ghost, root)
            by_base[base] = ghost
    return result


def _subject_of(node: Node) -> str:
    for n in node.walk():
        if n.message is not None:
            return n.message.subject
    return ""


def _is_reply(subject: str) -> bool:
    return normalize_subject(subject) != " ".join(subject.split())
