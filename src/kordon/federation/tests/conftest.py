from collections.abc import Callable, Iterator

import pytest

from kordon.conftest import ScratchNode
from kordon.federation.tests.nodes import Node


@pytest.fixture
def nodes(scratch_nodes: Callable[[str], ScratchNode]) -> Iterator[Callable[[str], Node]]:
    made: list[Node] = []

    def make(name: str) -> Node:
        node = Node(scratch_nodes(name), name)
        node.start()
        made.append(node)
        return node

    yield make
    for node in made:
        node.stop()
