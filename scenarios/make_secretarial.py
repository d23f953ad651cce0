"""Generate ``secretarial.yaml``: an outsourced secretarial service for 500 client companies.

Covers: hundreds of queues written with a queue template (one short line
each), hundreds of agents in dozens of groups, sparse skills (each group
knows a random subset of the clients) with two skill levels, and routing by
skill level, at a scale where the work per routing decision must not grow
with the number of queues or agents.

Scenario: a secretarial service answers the phone for 500 client companies,
each its own queue with a modest Poisson rate (1 to 20 calls an hour), a
handle time of 2 to 4 minutes and callers who hang up after 1 to 2 minutes
on average. 300 agents work in 60 teams of 5; each team knows 5 to 40
clients, knowing some well (skill level 1) and some less well (level 2).
Every client is known by at least one team, and the subsets are balanced so
that each team's share of the offered load is within 5 % of the mean.

The draws come from one numpy Generator with a fixed seed, so running this
script again writes exactly the same file::

    .venv/bin/python scenarios/make_secretarial.py [OUTPUT]

OUTPUT defaults to ``secretarial.yaml`` next to this script.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SEED = 20260105
CLIENTS = 500
TEAMS = 60
AGENTS_PER_TEAM = 5
CLIENTS_PER_TEAM = (5, 40)  # inclusive range of the clients a team knows
RATE_PER_H = (1.0, 20.0)  # range of a client's mean calls per hour
HANDLE_S = (120.0, 240.0)  # range of a client's mean handle time (seconds)
PATIENCE_S = (60.0, 120.0)  # range of a client's mean patience (seconds)
PRIMARY_SHARE = 0.5  # chance that a team knows one of its clients at level 1


@dataclass(frozen=True)
class Client:
    """One client company: one queue.

    Attributes:
        name: Queue name.
        rate_per_h: Mean calls per hour (Poisson).
        handle_s: Mean handle time (seconds, exponential).
        patience_s: Mean patience (seconds, exponential).
    """

    name: str
    rate_per_h: float
    handle_s: float
    patience_s: float

    @property
    def load(self) -> float:
        """Offered load in Erlangs: calls per second × mean handle time (seconds)."""
        return self.rate_per_h / 3600 * self.handle_s


@dataclass(frozen=True)
class Team:
    """One team of agents and the clients it knows.

    Attributes:
        name: Agent-group name.
        skills: Client queue name -> skill level (1 = known well, 2 = less well).
    """

    name: str
    skills: dict[str, int]


def draw_clients(rng: np.random.Generator) -> list[Client]:
    """The client companies, with rates and mean times rounded for a readable file."""
    rates = rng.uniform(*RATE_PER_H, size=CLIENTS)
    handles = rng.uniform(*HANDLE_S, size=CLIENTS)
    patiences = rng.uniform(*PATIENCE_S, size=CLIENTS)
    return [
        Client(f"client-{number + 1:03d}", round(rate, 1), round(handle), round(patience))
        for number, (rate, handle, patience) in enumerate(
            zip(rates, handles, patiences, strict=True)
        )
    ]


def draw_team_clients(rng: np.random.Generator) -> list[set[int]]:
    """Client numbers each team knows: a random subset of 5 to 40, every client covered.

    A client that no team drew is added to a random team that knows fewer
    than the maximum number of clients.
    """
    low, high = CLIENTS_PER_TEAM
    known = [
        set(rng.choice(CLIENTS, size=int(rng.integers(low, high + 1)), replace=False).tolist())
        for _ in range(TEAMS)
    ]
    covered = set().union(*known)
    for client in range(CLIENTS):
        if client not in covered:
            open_teams = [team for team in range(TEAMS) if len(known[team]) < high]
            known[open_teams[int(rng.integers(len(open_teams)))]].add(client)
    return known


def client_shares(known: list[set[int]], loads: np.ndarray) -> np.ndarray:
    """Each client's load (Erlangs) split equally among the teams that know it."""
    coverage = np.zeros(len(loads))
    for clients in known:
        coverage[list(clients)] += 1
    return loads / coverage


def team_loads(known: list[set[int]], shares: np.ndarray) -> np.ndarray:
    """Each team's share of the offered load (Erlangs), from :func:`client_shares`."""
    return np.array([shares[list(clients)].sum() for clients in known])


def balance(known: list[set[int]], loads: np.ndarray) -> None:
    """Swap clients between teams until the team loads are within 5 % of their mean.

    Each step swaps one client between the quietest (then the busiest) team
    and the partner team for which the swap lowers the spread of the team
    loads most. A swap keeps team sizes and how many teams know each client,
    so the client shares stay the same. It stops when no swap helps, or
    after 100 swaps per team.
    """
    shares = client_shares(known, loads)
    for _ in range(100 * TEAMS):
        totals = team_loads(known, shares)
        if totals.max() - totals.min() <= 0.05 * totals.mean():
            return
        extremes = (int(totals.argmin()), int(totals.argmax()))
        if not any(_swap_for(known, shares, totals, team) for team in extremes):
            return


def _swap_for(known: list[set[int]], shares: np.ndarray, totals: np.ndarray, team: int) -> bool:
    """Make the swap between ``team`` and another team that best evens their loads.

    Moving load ``moved`` to ``team`` from a team ``gap`` Erlangs busier lowers
    the sum of squared deviations of the team loads by ``2 * moved * (gap - moved)``.
    Returns False when no swap lowers it.
    """
    best_gain, best_swap = 1e-12, None
    for other, clients in enumerate(known):
        mine = sorted(known[team] - clients)
        theirs = sorted(clients - known[team])
        if other == team or not mine or not theirs:
            continue
        moved = shares[theirs][:, None] - shares[mine][None, :]
        gain = 2 * moved * (totals[other] - totals[team] - moved)
        row, column = np.unravel_index(int(gain.argmax()), gain.shape)
        if gain[row, column] > best_gain:
            best_gain, best_swap = gain[row, column], (other, theirs[row], mine[column])
    if best_swap is None:
        return False
    other, incoming, outgoing = best_swap
    known[team].remove(outgoing)
    known[team].add(incoming)
    known[other].remove(incoming)
    known[other].add(outgoing)
    return True


def draw_teams(rng: np.random.Generator, clients: list[Client]) -> list[Team]:
    """The teams, each with the clients it knows and a skill level (1 or 2) for each.

    The subsets are drawn at random and then balanced (:func:`balance`), so
    that no team is left idle while another is swamped.
    """
    known = draw_team_clients(rng)
    balance(known, np.array([client.load for client in clients]))
    teams = []
    for number, members in enumerate(known):
        ordered = sorted(members)
        levels = np.where(rng.random(len(ordered)) < PRIMARY_SHARE, 1, 2)
        skills = {
            clients[client].name: int(level) for client, level in zip(ordered, levels, strict=True)
        }
        teams.append(Team(f"team-{number + 1:02d}", skills))
    return teams


def render(clients: list[Client], teams: list[Team]) -> str:
    """The scenario as YAML text: a template, one short line per queue, a few lines per group."""
    load = sum(client.load for client in clients)
    agents = TEAMS * AGENTS_PER_TEAM
    lines = [
        "# Generated by scenarios/make_secretarial.py (seed "
        f"{SEED}); do not edit by hand, run the script again.",
        "# Covers: 500 queues written with a template, 60 agent groups with sparse skills",
        "#         at two levels, routing by skill level.",
        "# Scenario: an outsourced secretarial service answers for 500 client companies,",
        "#         each its own queue (1 to 20 calls an hour, 2 to 4 minutes of talk,",
        "#         callers hang up after 1 to 2 minutes on average); 300 agents in 60",
        "#         teams of 5, each team knowing 5 to 40 of the clients (every client",
        "#         known by a team; each team's share of the load within 5 % of the mean).",
        f"#         Offered load {load:.1f} Erlangs on {agents} agents"
        f" ({load / agents:.0%} before abandonment).",
        "name: secretarial",
        "description: Outsourced secretarial service, 500 client companies, 300 agents.",
        "seed: 1",
        "horizon: 8h",
        "warmup: 30min",
        "interval: 30min",
        "service_level: {threshold: 20s, target: 0.8}",
        "routing: {agent_selection: priority, contact_selection: priority}",
        "templates:",
        "  client:          # every client: exponential talk and patience; each queue gives",
        "                   # its own calls per hour and mean talk and patience",
        "    handle_time: {distribution: exponential, mean: 3min}",
        "    patience: {distribution: exponential, mean: 90s}",
        "queues:",
    ]
    lines += [
        f"  - {{name: {client.name}, template: client, arrivals: {{rate: {client.rate_per_h}/h}},"
        f" handle_time: {{mean: {client.handle_s}s}}, patience: {{mean: {client.patience_s}s}}}}"
        for client in clients
    ]
    lines.append("agents:")
    for team in teams:
        lines += [f"  - name: {team.name}", f"    count: {AGENTS_PER_TEAM}"]
        lines += _wrapped_skills(team.skills)
    return "\n".join(lines) + "\n"


def _wrapped_skills(skills: dict[str, int]) -> list[str]:
    """A team's ``skills:`` as a YAML flow mapping, wrapped between entries at 100 characters."""
    entries = [f"{name}: {level}" for name, level in skills.items()]
    lines = ["    skills: {" + entries[0]]
    for entry in entries[1:]:
        if len(lines[-1]) + len(entry) + 3 > 100:
            lines[-1] += ","
            lines.append(" " * 12 + entry)
        else:
            lines[-1] += ", " + entry
    lines[-1] += "}"
    return lines


def main(argv: list[str]) -> None:
    """Write the scenario to ``argv[0]`` or to ``secretarial.yaml`` next to this script."""
    output = Path(argv[0]) if argv else Path(__file__).with_name("secretarial.yaml")
    rng = np.random.default_rng(SEED)
    clients = draw_clients(rng)
    teams = draw_teams(rng, clients)
    output.write_text(render(clients, teams), encoding="utf-8")
    print(f"wrote {output}")


if __name__ == "__main__":
    main(sys.argv[1:])
