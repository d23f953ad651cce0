"""Skill-based routing: matching waiting contacts and idle agents directly.

There is no ``simpy.Resource`` per skill. The router keeps, per queue, a
waiting line (and an overflow line), and per *pool* (the agents of one group
working one skill set) the idle agents, longest idle first. An arriving
contact asks its queue's agent-selection policy for an idle agent of the
eligible pools; a freed agent asks the centre's contact-selection policy for
a waiting contact of its pool's lines. Work per decision is proportional to
the number of eligible pools or lines, never to the number of contacts,
queues or agents in the centre.

Contacts that leave a line (abandon, are taken from their other line) are
not searched for: they are marked and skipped when they reach the head of a
line (lazy deletion), so leaving costs O(1).
"""

from simcenter.routing.lines import Line, Pool, Queue
from simcenter.routing.router import Router

__all__ = ["Line", "Pool", "Queue", "Router"]
