"""Bad scenario files: every rule reports its exact message, file, line and key path.

Each case is a small YAML file written to a temporary folder and loaded by its
relative name, so messages read ``scenario.yaml:LINE key.path: message`` as a
planner would see them. The command-line tests check that ``simcenter
validate`` prints the same lines, exits 2 and shows no traceback.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from simcenter.errors import ScenarioError
from simcenter.loading import load_scenario

VALID = """\
name: Retail support
queues:
  - name: billing
    arrivals: {rate: 360/h}
    handle_time: {distribution: exponential, mean: 240s}
agents:
  - name: tier1
    count: 30
    skills: [billing]
"""

# (id, YAML text, the exact error message lines)
CASES = [
    (
        "bad duration unit",
        """\
        name: Retail support
        queues:
          - name: billing
            arrivals: {rate: 360/h}
            handle_time:
              distribution: exponential
              mean: 4 minutes
        agents:
          - {name: tier1, count: 30, skills: [billing]}
        """,
        ['scenario.yaml:7 queues[0].handle_time.mean: "4 minutes" is not a duration'],
    ),
    (
        "bad rate",
        """\
        name: Retail support
        queues:
          - name: billing
            arrivals:
              rate: 360 per hour
            handle_time: {distribution: exponential, mean: 240s}
        agents:
          - {name: tier1, count: 30, skills: [billing]}
        """,
        ['scenario.yaml:5 queues[0].arrivals.rate: "360 per hour" is not a rate'],
    ),
    (
        "negative count",
        """\
        name: Retail support
        queues:
          - name: billing
            arrivals: {rate: 360/h}
            handle_time: {distribution: exponential, mean: 240s}
        agents:
          - name: tier1
            count: 30
            skills: [billing]
          - name: tier2
            count: -3
            skills: [billing]
        """,
        ["scenario.yaml:11 agents[1].count: must be a non-negative integer (got -3)"],
    ),
    (
        "unknown key (typo)",
        """\
        name: Retail support
        queues:
          - name: billing
            arrivals:
              rat: 360/h
            handle_time: {distribution: exponential, mean: 240s}
        agents:
          - {name: tier1, count: 30, skills: [billing]}
        """,
        ['scenario.yaml:5 queues[0].arrivals.rat: unknown key (did you mean "rate"?)'],
    ),
    (
        "unknown key with no near match",
        """\
        name: Retail support
        colour: blue
        queues:
          - name: billing
            arrivals: {rate: 360/h}
            handle_time: {distribution: exponential, mean: 240s}
        agents:
          - {name: tier1, count: 30, skills: [billing]}
        """,
        [
            "scenario.yaml:2 colour: unknown key (allowed: name, description, seed, start, "
            "timezone, horizon, warmup, interval, replications, service_level, closing, "
            "lines, routing, templates, calendar, busyness, queues, agents)"
        ],
    ),
    (
        "unknown skill queue",
        """\
        name: Retail support
        queues:
          - name: billing
            arrivals: {rate: 360/h}
            handle_time: {distribution: exponential, mean: 240s}
          - name: tech
            arrivals: {rate: 60/h}
            handle_time: {distribution: exponential, mean: 8min}
        agents:
          - name: tier1
            count: 30
            skills:
              - tech
              - biling
        """,
        [
            'scenario.yaml:3 queues[0].name: no agent group has the skill "billing"',
            'scenario.yaml:14 agents[0].skills[1]: unknown queue "biling" (queues: billing, tech)',
        ],
    ),
    (
        "unknown skill queue in a level mapping",
        """\
        name: Retail support
        queues:
          - name: billing
            arrivals: {rate: 360/h}
            handle_time: {distribution: exponential, mean: 240s}
        agents:
          - name: tier1
            count: 30
            skills:
              billing: 1
              tec: 2
        """,
        ['scenario.yaml:11 agents[0].skills.tec: unknown queue "tec" (queues: billing)'],
    ),
    (
        "text where an integer is expected",
        """\
        name: Retail support
        queues:
          - name: billing
            arrivals: {rate: 360/h}
            handle_time: {distribution: exponential, mean: 240s}
        agents:
          - name: tier1
            count: thirty
            skills: [billing]
        """,
        ['scenario.yaml:8 agents[0].count: must be a non-negative integer (got "thirty")'],
    ),
    (
        "empty queues list",
        """\
        name: Retail support
        queues: []
        agents:
          - {name: tier1, count: 30, skills: [billing]}
        """,
        ["scenario.yaml:2 queues: must not be empty"],
    ),
    (
        "missing required keys",
        """\
        agents:
          - name: tier1
            count: 30
            skills: [billing, tech]
        queues:
          - arrivals: {rate: 360/h}
            handle_time: {distribution: exponential, mean: 240s}
          - name: tech
            arrivals: {rate: 60/h}
        """,
        [
            "scenario.yaml:1 name: required key is missing",
            "scenario.yaml:6 queues[0].name: required key is missing",
            "scenario.yaml:8 queues[1].handle_time: required key is missing",
        ],
    ),
    (
        "duplicate queue names",
        """\
        name: Retail support
        queues:
          - name: billing
            arrivals: {rate: 360/h}
            handle_time: {distribution: exponential, mean: 240s}
          - name: billing
            arrivals: {rate: 60/h}
            handle_time: {distribution: exponential, mean: 8min}
        agents:
          - {name: tier1, count: 30, skills: [billing]}
        """,
        ['scenario.yaml:6 queues[1].name: duplicate name "billing" (also queues[0])'],
    ),
    (
        "unknown distribution",
        """\
        name: Retail support
        queues:
          - name: billing
            arrivals: {rate: 360/h}
            handle_time:
              distribution: normal
              mean: 240s
        agents:
          - {name: tier1, count: 30, skills: [billing]}
        """,
        [
            'scenario.yaml:6 queues[0].handle_time.distribution: unknown distribution "normal" '
            "(expected one of exponential, constant, lognormal, gamma, weibull, uniform, "
            "empirical, mixture)"
        ],
    ),
    (
        "duration where a distribution is expected",
        """\
        name: Retail support
        queues:
          - name: billing
            arrivals: {rate: 360/h}
            handle_time: 240s
        agents:
          - {name: tier1, count: 30, skills: [billing]}
        """,
        [
            "scenario.yaml:5 queues[0].handle_time: must be a mapping such as "
            '{distribution: exponential, ...} (got "240s")'
        ],
    ),
    (
        "lognormal with both cv and sd",
        """\
        name: Retail support
        queues:
          - name: billing
            arrivals: {rate: 360/h}
            handle_time: {distribution: lognormal, mean: 240s, cv: 0.5, sd: 2min}
        agents:
          - {name: tier1, count: 30, skills: [billing]}
        """,
        ["scenario.yaml:5 queues[0].handle_time: needs exactly one of cv, sd (got both)"],
    ),
    (
        "key of another distribution",
        """\
        name: Retail support
        queues:
          - name: billing
            arrivals: {rate: 360/h}
            handle_time:
              distribution: exponential
              mean: 240s
              cv: 0.5
        agents:
          - {name: tier1, count: 30, skills: [billing]}
        """,
        ["scenario.yaml:8 queues[0].handle_time.cv: unknown key (allowed: distribution, mean)"],
    ),
    (
        "profile past midnight",
        """\
        name: Retail support
        queues:
          - name: billing
            arrivals:
              profile:
                interval: 2h
                start: "20:00"
                volumes: [40, 30, 20]
            handle_time: {distribution: exponential, mean: 240s}
        agents:
          - {name: tier1, count: 30, skills: [billing]}
        """,
        [
            "scenario.yaml:5 queues[0].arrivals.profile: must end by midnight "
            "(got 3 volumes of 2h from 20:00, ending at 26:00)"
        ],
    ),
    (
        "bad time zone",
        """\
        name: Retail support
        timezone: Europe/Berln
        queues:
          - name: billing
            arrivals: {rate: 360/h}
            handle_time: {distribution: exponential, mean: 240s}
        agents:
          - {name: tier1, count: 30, skills: [billing]}
        """,
        [
            'scenario.yaml:2 timezone: unknown time zone "Europe/Berln"; '
            'did you mean "Europe/Berlin"?'
        ],
    ),
    (
        "queue that no group serves",
        """\
        name: Retail support
        queues:
          - name: billing
            arrivals: {rate: 360/h}
            handle_time: {distribution: exponential, mean: 240s}
          - name: tech
            arrivals: {rate: 60/h}
            handle_time: {distribution: exponential, mean: 8min}
        agents:
          - {name: tier1, count: 30, skills: [billing]}
        """,
        ['scenario.yaml:6 queues[1].name: no agent group has the skill "tech"'],
    ),
    (
        "service-level target outside [0, 1]",
        """\
        name: Retail support
        service_level: {threshold: 20s, target: 80}
        queues:
          - name: billing
            arrivals: {rate: 360/h}
            handle_time: {distribution: exponential, mean: 240s}
            service_level:
              target: -0.1
        agents:
          - {name: tier1, count: 30, skills: [billing]}
        """,
        [
            "scenario.yaml:2 service_level.target: must be a number from 0 to 1 (got 80)",
            "scenario.yaml:8 queues[0].service_level.target: must be a number from 0 to 1 "
            "(got -0.1)",
        ],
    ),
    (
        "duplicate YAML key",
        """\
        name: Retail support
        queues:
          - name: billing
            arrivals: {rate: 360/h}
            handle_time: {distribution: exponential, mean: 240s}
            name: tech
        agents:
          - {name: tier1, count: 30, skills: [billing]}
        """,
        ['scenario.yaml:6 queues[0]: duplicate key "name" (first on line 3)'],
    ),
    (
        "count and staffing both given",
        """\
        name: Retail support
        queues:
          - name: billing
            arrivals: {rate: 360/h}
            handle_time: {distribution: exponential, mean: 240s}
        agents:
          - name: tier1
            count: 30
            staffing: {interval: 1h, counts: [10, 20]}
            skills: [billing]
        """,
        ["scenario.yaml:7 agents[0]: needs exactly one of count, staffing (got both)"],
    ),
    (
        "missing empirical file",
        """\
        name: Retail support
        queues:
          - name: billing
            arrivals: {rate: 360/h}
            handle_time: {distribution: empirical, file: handle_times.csv}
        agents:
          - {name: tier1, count: 30, skills: [billing]}
        """,
        [
            'scenario.yaml:5 queues[0].handle_time.file: no such file "handle_times.csv" '
            "(looked for {folder}/handle_times.csv)"
        ],
    ),
    # --- issue 3: routing features ---------------------------------------------------
    (
        "routing keys and lines",
        """\
        name: Retail support
        lines: 0
        routing:
          agent_selection: fastest
          contact_selection: newest
          repeat_contacts: same_agent
          affinity_wait: -1min
          handover_factor: 0
        queues:
          - name: billing
            arrivals: {rate: 360/h}
            handle_time: {distribution: exponential, mean: 240s}
            routing:
              contact_selection: oldest
              agent_selection: slowest
              affinity_wait: soon
        agents:
          - {name: tier1, count: 30, skills: [billing]}
        """,
        [
            "scenario.yaml:2 lines: must be a positive integer (got 0)",
            "scenario.yaml:4 routing.agent_selection: must be one of longest_idle, random, "
            'round_robin, fewest_skills, priority (got "fastest")',
            "scenario.yaml:5 routing.contact_selection: must be one of oldest, priority, "
            'sl_urgency (got "newest")',
            "scenario.yaml:6 routing.repeat_contacts: must be one of any_agent, "
            'prefer_last_agent, last_agent_only (got "same_agent")',
            'scenario.yaml:7 routing.affinity_wait: must be a non-negative duration (got "-1min")',
            "scenario.yaml:8 routing.handover_factor: must be a positive number (got 0)",
            "scenario.yaml:14 queues[0].routing.contact_selection: unknown key here "
            "(contact_selection belongs in the top-level routing: a freed agent chooses across "
            "all of its queues)",
            "scenario.yaml:15 queues[0].routing.agent_selection: must be one of longest_idle, "
            'random, round_robin, fewest_skills, priority (got "slowest")',
            'scenario.yaml:16 queues[0].routing.affinity_wait: "soon" is not a duration',
        ],
    ),
    (
        "overflow",
        """\
        name: Retail support
        queues:
          - name: billing
            arrivals: {rate: 360/h}
            handle_time: {distribution: exponential, mean: 240s}
            overflow:
              after: 1min
              to: [tier2, tier3]
          - name: tech
            arrivals: {rate: 60/h}
            handle_time: {distribution: exponential, mean: 8min}
            overflow: {to: []}
        agents:
          - {name: tier1, count: 30, skills: [billing]}
          - {name: tier2, count: 5, skills: [tech]}
        """,
        [
            'scenario.yaml:8 queues[0].overflow.to[1]: unknown agent group "tier3" '
            "(groups: tier1, tier2)",
            "scenario.yaml:12 queues[1].overflow.after: required key is missing",
            "scenario.yaml:12 queues[1].overflow.to: must not be empty",
        ],
    ),
    (
        "balking",
        """\
        name: Retail support
        queues:
          - name: billing
            arrivals: {rate: 360/h}
            handle_time: {distribution: exponential, mean: 240s}
            balking: {}
          - name: tech
            arrivals: {rate: 60/h}
            handle_time: {distribution: exponential, mean: 8min}
            balking:
              probability: 0.1
              max_expected_wait: 5min
          - name: sales
            arrivals: {rate: 60/h}
            handle_time: {distribution: exponential, mean: 8min}
            balking:
              max_queue: -1
        agents:
          - {name: tier1, count: 30, skills: [billing, tech, sales]}
        """,
        [
            "scenario.yaml:6 queues[0].balking: needs exactly one of probability, max_queue, "
            "max_expected_wait (got none)",
            "scenario.yaml:10 queues[1].balking: needs exactly one of probability, max_queue, "
            "max_expected_wait (got probability, max_expected_wait)",
            "scenario.yaml:17 queues[2].balking.max_queue: must be a non-negative integer (got -1)",
        ],
    ),
    (
        "max_wait",
        """\
        name: Retail support
        queues:
          - name: billing
            arrivals: {rate: 360/h}
            handle_time: {distribution: exponential, mean: 240s}
            max_wait:
              after: 0s
              outcome: hangup
          - name: tech
            arrivals: {rate: 60/h}
            handle_time: {distribution: exponential, mean: 8min}
            max_wait: {after: 2min, outcome: voicemail, to: billing}
          - name: sales
            arrivals: {rate: 60/h}
            handle_time: {distribution: exponential, mean: 8min}
            max_wait:
              after: 2min
              to: sales
          - name: email
            arrivals: {rate: 60/h}
            handle_time: {distribution: exponential, mean: 8min}
            max_wait:
              to: biling
        agents:
          - {name: tier1, count: 30, skills: [billing, tech, sales, email]}
        """,
        [
            'scenario.yaml:7 queues[0].max_wait.after: must be a positive duration (got "0s")',
            'scenario.yaml:8 queues[0].max_wait.outcome: must be voicemail (got "hangup")',
            "scenario.yaml:12 queues[1].max_wait: needs exactly one of outcome, to (got both)",
            "scenario.yaml:18 queues[2].max_wait.to: must name another queue, not this one "
            '(got "sales")',
            "scenario.yaml:22 queues[3].max_wait.after: required key is missing",
            'scenario.yaml:23 queues[3].max_wait.to: unknown queue "biling" '
            "(queues: billing, tech, sales, email)",
        ],
    ),
    (
        "transfer and repeat",
        """\
        name: Retail support
        queues:
          - name: billing
            arrivals: {rate: 360/h}
            handle_time: {distribution: exponential, mean: 240s}
            transfer:
              probability: 1.5
              to: billing
            repeat:
              probability: 1
              delay: 1d
          - name: tech
            arrivals: {rate: 60/h}
            handle_time: {distribution: exponential, mean: 8min}
            transfer: {probability: 0.1, to: sales}
            repeat: {probability: 0.2}
        agents:
          - {name: tier1, count: 30, skills: [billing, tech]}
        """,
        [
            "scenario.yaml:7 queues[0].transfer.probability: must be a number from 0 to 1 "
            "(got 1.5)",
            "scenario.yaml:8 queues[0].transfer.to: must name another queue, not this one "
            '(got "billing")',
            "scenario.yaml:10 queues[0].repeat.probability: must be a number from 0 to less "
            "than 1 (got 1)",
            "scenario.yaml:11 queues[0].repeat.delay: must be a mapping such as "
            '{distribution: exponential, ...} (got "1d")',
            'scenario.yaml:15 queues[1].transfer.to: unknown queue "sales" (queues: billing, tech)',
            "scenario.yaml:16 queues[1].repeat.delay: required key is missing",
        ],
    ),
    (
        "retrial",
        """\
        name: Retail support
        queues:
          - name: billing
            arrivals: {rate: 360/h}
            handle_time: {distribution: exponential, mean: 240s}
            retrial:
              probability: 1.2
              delay: {distribution: exponential, mean: 20min}
              max_attempts: 0
              after: [abandoned, answered]
              to: email
          - name: tech
            arrivals: {rate: 60/h}
            handle_time: {distribution: exponential, mean: 8min}
            retrial: {probability: 1, delay: {distribution: constant, mean: 5min}}
        agents:
          - {name: tier1, count: 30, skills: [billing, tech]}
        """,
        [
            "scenario.yaml:7 queues[0].retrial.probability: must be a number from 0 to 1 (got 1.2)",
            "scenario.yaml:9 queues[0].retrial.max_attempts: must be a positive integer (got 0)",
            "scenario.yaml:10 queues[0].retrial.after[1]: must be one of abandoned, blocked, "
            'balked (got "answered")',
            'scenario.yaml:11 queues[0].retrial.to: unknown queue "email" (queues: billing, tech)',
            "scenario.yaml:15 queues[1].retrial: needs max_attempts when probability is 1 (a "
            "customer would try forever)",
        ],
    ),
    (
        "ivr",
        """\
        name: Retail support
        queues:
          - name: billing
            arrivals: {rate: 360/h}
            handle_time: {distribution: exponential, mean: 240s}
            ivr: {self_service: 1.5, abandon_in_ivr: true}
          - name: tech
            arrivals: {rate: 60/h}
            handle_time: {distribution: exponential, mean: 8min}
            ivr:
              duration: {distribution: constant, mean: 1min}
              patience: {distribution: exponential, mean: 2min}
        agents:
          - {name: tier1, count: 30, skills: [billing, tech]}
        """,
        [
            "scenario.yaml:6 queues[0].ivr.duration: required key is missing",
            "scenario.yaml:6 queues[0].ivr.self_service: must be a number from 0 to 1 (got 1.5)",
            "scenario.yaml:10 queues[1].ivr: has patience but abandon_in_ivr is false (patience "
            "is not read)",
        ],
    ),
    (
        "long-form skills",
        """\
        name: Retail support
        queues:
          - name: savings
            arrivals: {rate: 360/h}
            handle_time: {distribution: exponential, mean: 240s}
          - name: checking
            arrivals: {rate: 60/h}
            handle_time: {distribution: exponential, mean: 8min}
        agents:
          - name: tier1
            count: 30
            skills:
              savings: {priority: 0, handle_time_factor: 0}
              checking:
                level: 2
          - name: tier2
            count: 5
            skills:
              savings: primary
              checking: 1.5
        """,
        [
            "scenario.yaml:13 agents[0].skills.savings.priority: must be a positive integer "
            "(got 0)",
            "scenario.yaml:13 agents[0].skills.savings.handle_time_factor: must be a positive "
            "number (got 0)",
            "scenario.yaml:15 agents[0].skills.checking.level: unknown key here "
            '(the long form calls the skill level "priority")',
            "scenario.yaml:19 agents[1].skills.savings: must be a skill level (a positive "
            'integer) or a mapping such as {priority: 1} (got "primary")',
            "scenario.yaml:20 agents[1].skills.checking: must be a positive integer (got 1.5)",
        ],
    ),
    (
        "rotation",
        """\
        name: Retail support
        queues:
          - name: billing
            arrivals: {rate: 360/h}
            handle_time: {distribution: exponential, mean: 240s}
          - name: email
            arrivals: {rate: 60/h}
            handle_time: {distribution: exponential, mean: 8min}
        agents:
          - name: tier1
            count: 30
            skills: [billing, email]
            rotation:
              every: 0s
              skill_sets: [[billing]]
              stagger: yes
          - name: tier2
            count: 5
            skills: [billing]
            rotation:
              every: 2h
              skill_sets:
                - [billing]
                - []
                - [email, billing]
        """,
        [
            'scenario.yaml:14 agents[0].rotation.every: must be a positive duration (got "0s")',
            "scenario.yaml:15 agents[0].rotation.skill_sets: must have at least 2 entries (got 1)",
            'scenario.yaml:16 agents[0].rotation.stagger: must be true or false (got "yes")',
            "scenario.yaml:24 agents[1].rotation.skill_sets[1]: must not be empty",
            'scenario.yaml:25 agents[1].rotation.skill_sets[2][0]: "email" is not one of '
            "the group's skills",
        ],
    ),
    (
        "a queue named ALL",
        """\
        name: Retail support
        queues:
          - name: ALL
            arrivals: {rate: 360/h}
            handle_time: {distribution: exponential, mean: 240s}
        agents:
          - {name: tier1, count: 30, skills: [ALL]}
        """,
        [
            'scenario.yaml:3 queues[0].name: "ALL" is reserved for the total row of the '
            "reports; choose another queue name"
        ],
    ),
    (
        "weibull shape without a finite variance",
        """\
        name: Retail support
        queues:
          - name: billing
            arrivals: {rate: 360/h}
            handle_time:
              distribution: weibull
              mean: 4min
              shape: 0.01
        agents:
          - {name: tier1, count: 30, skills: [billing]}
        """,
        [
            "scenario.yaml:8 queues[0].handle_time.shape: must be at least about 0.012, "
            "for a finite variance (got 0.01)"
        ],
    ),
    (
        "a top-level list",
        """\
        - name: Retail support
        """,
        ["scenario.yaml:1: the scenario must be a mapping of keys (got a list)"],
    ),
    (
        "shifts: time zone, weekdays, count, end at start, absence, outage, shift name",
        """\
        name: Retail support
        timezone: Europe/Berlin
        queues:
          - name: billing
            arrivals: {rate: 360/h}
            handle_time: {distribution: exponential, mean: 240s}
        agents:
          - name: tier1
            skills: [billing]
            shifts:
              - {start: "08:00", end: "16:30", count: 12, timezone: Europe/Berln}
              - start: "22:00"
                end: "06:00"
                count: 2.5
                days: [mon, friday]
              - {name: shift1, start: "09:00", end: "09:00", count: 3}
            absence: {probability: 1}
            outages:
              - {at: "10:00", duration: 1h, agents: 2}
        """,
        [
            'scenario.yaml:11 agents[0].shifts[0].timezone: unknown time zone "Europe/Berln"; '
            'did you mean "Europe/Berlin"?',
            "scenario.yaml:14 agents[0].shifts[1].count: must be a non-negative integer (got 2.5)",
            "scenario.yaml:15 agents[0].shifts[1].days[1]: must be one of mon, tue, wed, thu, "
            'fri, sat, sun (got "friday")',
            "scenario.yaml:16 agents[0].shifts[2].end: must differ from start (got 09:00 to "
            "09:00): a shift that ends when it starts has no length",
            'scenario.yaml:16 agents[0].shifts[2].name: duplicate shift name "shift1" '
            "(also shifts[0])",
            "scenario.yaml:17 agents[0].absence.probability: must be a number from 0 to less "
            "than 1 (got 1)",
            "scenario.yaml:19 agents[0].outages[0].at: must be a date and time such as "
            '2026-01-05T08:00 (got "10:00")',
        ],
    ),
    (
        "breaks outside their shift or overlapping",
        """\
        name: Retail support
        queues:
          - name: billing
            arrivals: {rate: 360/h}
            handle_time: {distribution: exponential, mean: 240s}
        agents:
          - name: tier1
            skills: [billing]
            shifts:
              - start: "08:00"
                end: "16:30"
                count: 12
                breaks: [{at: "12:00", duration: 30min}, {at: "16:15", duration: 30min}]
              - start: "22:00"
                end: "06:00"
                count: 2
                breaks: [{at: "02:00", duration: 30min}, {after: 255min, duration: 15min}]
              - {start: "22:00", end: "06:00", count: 2, breaks: [{at: "21:30", duration: 15min}]}
        """,
        [
            "scenario.yaml:13 agents[0].shifts[0].breaks: breaks[1] (at 16:15 for 30min) must "
            "lie within the shift (08:00 to 16:30, 8.5h)",
            "scenario.yaml:17 agents[0].shifts[1].breaks: breaks[1] (after 4.25h for 15min) "
            "overlaps breaks[0] (at 02:00 for 30min)",
            "scenario.yaml:18 agents[0].shifts[2].breaks: breaks[0] (at 21:30 for 15min) must "
            "lie within the shift (22:00 to 06:00, 8h)",
        ],
    ),
    (
        "a group with neither count, staffing nor shifts; staffing by weekday",
        """\
        name: Retail support
        queues:
          - name: billing
            arrivals: {rate: 360/h}
            handle_time: {distribution: exponential, mean: 240s}
        agents:
          - name: tier1
            count: 3
            skills: [billing]
            breaks: [{at: "12:00", duration: 30min}]
          - name: tier2
            skills: [billing]
            staffing: {interval: 1h, start: "08:00", days: {mon: [1, 2], sat: []}}
          - name: tier3
            skills: [billing]
            staffing: {interval: 5h, start: "08:00", days: {mon: [1, 2, 3, 4, 5, 6]}}
          - name: tier4
            skills: [billing]
        """,
        [
            "scenario.yaml:10 agents[0].breaks: unknown key here (breaks belong to a shift: "
            "shifts: [{start, end, count, breaks: [...]}])",
            "scenario.yaml:13 agents[1].staffing.days.sat: must not be empty",
            "scenario.yaml:16 agents[2].staffing: days.mon must cover at most one day (got 6 "
            "counts of 5h from 08:00)",
            "scenario.yaml:17 agents[3]: needs at least one of count, staffing, shifts (got none)",
        ],
    ),
    (
        "agents of a shift named as those of another group",
        """\
        name: Retail support
        queues:
          - name: billing
            arrivals: {rate: 360/h}
            handle_time: {distribution: exponential, mean: 240s}
        agents:
          - name: tier1
            skills: [billing]
            shifts: [{name: early, start: "08:00", end: "16:30", count: 12}]
          - name: tier1-early
            count: 3
            skills: [billing]
        """,
        [
            'scenario.yaml:10 agents[1].name: its agents would be named "tier1-early-001", ... '
            "as those of agents[0].shifts[0]; rename the shift or the group"
        ],
    ),
    (
        "calendar demand: dates, factors, busyness, periods",
        """\
        name: Retail support
        calendar: {weekdays: {sunday: 0}, dates: {2026-02-30: 0.5}}
        busyness: {distribution: gamma, mean: 1.2, cv: 0.1}
        queues:
          - name: billing
            arrivals:
              rate: 360/h
              dates: {2026-12-24: 0.6, 24.12.2026: 0, 2026-12-31: -1}
              busyness: {distribution: poisson, mean: 1, cv: -0.2}
            handle_time:
              periods:
                interval: 8h
                start: "08:00"
                values:
                  - {distribution: exponential, mean: 2min}
                  - {distribution: exponential, mean: 3min}
                  - {distribution: exponential, mean: 3min}
                  - {distribution: exponential, mean: 3min}
            patience: {distribution: exponential, mean: 2min, periods: {interval: 1h, values: []}}
            wrap_up: {periods: {interval: 1h, values: [{distribution: expo, mean: 3min}]}}
          - name: sales
            arrivals: {rate: 60/h, busyness: {distribution: uniform, mean: 1, cv: 0.7}}
            handle_time: {periods: {interval: 1h, values: []}}
        agents:
          - {name: tier1, count: 30, skills: [billing, sales]}
        """,
        [
            "scenario.yaml:2 calendar.weekdays.sunday: must be one of mon, tue, wed, thu, fri, "
            'sat, sun (got "sunday")',
            "scenario.yaml:2 calendar.dates.2026-02-30: must be a date such as 2026-12-24 "
            '(got "2026-02-30")',
            "scenario.yaml:3 busyness.mean: must be 1 (got 1.2): busyness varies the volumes "
            "around their profile; scale them with weekdays, dates or calendar instead",
            "scenario.yaml:8 queues[0].arrivals.dates.24.12.2026: must be a date such as "
            '2026-12-24 (got "24.12.2026")',
            "scenario.yaml:8 queues[0].arrivals.dates.2026-12-31: must be a non-negative "
            "number (got -1)",
            "scenario.yaml:9 queues[0].arrivals.busyness.distribution: must be one of gamma, "
            'lognormal, uniform (got "poisson")',
            "scenario.yaml:9 queues[0].arrivals.busyness.cv: must be a non-negative number "
            "(got -0.2)",
            "scenario.yaml:11 queues[0].handle_time.periods: values: at most 3 periods of 8h "
            "fit in one day (got 4 values from 08:00)",
            "scenario.yaml:19 queues[0].patience.periods: unknown key here (periods replace "
            "the distribution: {periods: {interval, start, values: [{distribution: ...}, "
            "...]}} without distribution)",
            "scenario.yaml:20 queues[0].wrap_up.periods.values[0].distribution: unknown "
            'distribution "expo" (expected one of exponential, constant, lognormal, gamma, '
            "weibull, uniform, empirical, mixture)",
            "scenario.yaml:22 queues[1].arrivals.busyness: a uniform busyness factor needs "
            "cv at most 0.5774 (got 0.7)",
            "scenario.yaml:23 queues[1].handle_time.periods.values: must not be empty",
        ],
    ),
    (
        "several problems at once, in line order",
        """\
        name: Retail support
        horizon: 1 week
        queues:
          - name: billing
            arrivals: {rate: 360/h, weekdays: {sat: 0.5, sunday: 0.2}}
            handle_time: {distribution: exponential, mean: 240s}
            priorty: 2
        agents:
          - name: tier1
            count: 30
            skills: [billing, sales]
            cost_per_hour: -20
        """,
        [
            'scenario.yaml:2 horizon: "1 week" is not a duration',
            "scenario.yaml:5 queues[0].arrivals.weekdays.sunday: must be one of mon, tue, "
            'wed, thu, fri, sat, sun (got "sunday")',
            'scenario.yaml:7 queues[0].priorty: unknown key (did you mean "priority"?)',
            'scenario.yaml:11 agents[0].skills[1]: unknown queue "sales" (queues: billing)',
            "scenario.yaml:12 agents[0].cost_per_hour: must be a non-negative number (got -20)",
        ],
    ),
]


def _write(folder: Path, text: str, name: str = "scenario.yaml") -> None:
    (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")


def _problems_of(name: str) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(name)
    return str(caught.value).splitlines()


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary working folder, so that messages name ``scenario.yaml`` as given."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_valid_base_scenario_loads(folder: Path) -> None:
    _write(folder, VALID)
    assert load_scenario("scenario.yaml").name == "Retail support"


@pytest.mark.parametrize(
    ("text", "expected"), [case[1:] for case in CASES], ids=[case[0] for case in CASES]
)
def test_bad_scenario_reports_exact_messages(folder: Path, text: str, expected: list[str]) -> None:
    _write(folder, text)
    expected = [line.replace("{folder}", str(folder.resolve())) for line in expected]
    assert _problems_of("scenario.yaml") == expected


def test_problems_carry_file_line_and_key_path(folder: Path) -> None:
    _write(folder, CASES[0][1])
    with pytest.raises(ScenarioError) as caught:
        load_scenario("scenario.yaml")
    (problem,) = caught.value.problems
    assert (problem.file, problem.line, problem.loc) == (
        "scenario.yaml",
        7,
        ("queues", 0, "handle_time", "mean"),
    )


def test_missing_file(folder: Path) -> None:
    assert _problems_of("scenario.yaml") == ["scenario.yaml: file not found"]


def test_missing_file_is_named_as_given(folder: Path) -> None:
    assert _problems_of("scenarios/../nowhere.yaml") == [
        "scenarios/../nowhere.yaml: file not found"
    ]


def test_folder_instead_of_file(folder: Path) -> None:
    (folder / "scenarios").mkdir()
    assert _problems_of("scenarios") == ["scenarios: is a folder, not a scenario file"]


def test_empty_file(folder: Path) -> None:
    _write(folder, "# nothing here yet\n")
    assert _problems_of("scenario.yaml") == ["scenario.yaml: file is empty (expected a scenario)"]


def test_malformed_yaml(folder: Path) -> None:
    _write(
        folder,
        """\
        name: Retail support
        queues:
          - name: billing
            arrivals: {rate: 360/h
            handle_time: {distribution: exponential, mean: 240s}
        """,
    )
    assert _problems_of("scenario.yaml") == [
        "scenario.yaml:5: invalid YAML: expected ',' or '}', but got ':' (column 16)"
    ]


def test_tab_indentation(folder: Path) -> None:
    _write(folder, "name: Retail support\nqueues:\n\t- name: billing\n")
    assert _problems_of("scenario.yaml") == [
        "scenario.yaml:3: invalid YAML: found character '\\t' that cannot start any token; "
        "indent with spaces, not tabs (column 1)"
    ]


def test_two_documents_in_one_file(folder: Path) -> None:
    _write(folder, VALID + "---\n" + VALID)
    assert _problems_of("scenario.yaml") == [
        "scenario.yaml:10: invalid YAML: expected a single document in the stream, "
        "but found another document (column 1)"
    ]


def test_control_character(folder: Path) -> None:
    (folder / "scenario.yaml").write_text("name: Retail support\ndescription: a\x07b\n")
    assert _problems_of("scenario.yaml") == [
        "scenario.yaml:2: invalid YAML: unacceptable character #x0007: "
        "special characters are not allowed"
    ]


def test_not_utf8(folder: Path) -> None:
    (folder / "scenario.yaml").write_bytes(b"name: caf\xe9\n")
    assert _problems_of("scenario.yaml") == [
        "scenario.yaml: is not UTF-8 text (invalid byte at position 9)"
    ]


# --- the command line ------------------------------------------------------------


def _validate(folder: Path, *names: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "simcenter", "validate", *names],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    "case", [CASES[0], CASES[3], CASES[-1]], ids=[CASES[0][0], CASES[3][0], CASES[-1][0]]
)
def test_validate_prints_every_problem_and_exits_2(
    folder: Path, case: tuple[str, str, list[str]]
) -> None:
    _, text, expected = case
    _write(folder, text)
    finished = _validate(folder, "scenario.yaml")
    assert finished.returncode == 2
    assert finished.stderr.splitlines() == expected
    assert "Traceback" not in finished.stdout + finished.stderr


def test_validate_reports_a_missing_file_without_traceback(folder: Path) -> None:
    finished = _validate(folder, "missing.yaml")
    assert (finished.returncode, finished.stderr) == (2, "missing.yaml: file not found\n")
    assert "Traceback" not in finished.stdout


def test_validate_accepts_a_valid_file(folder: Path) -> None:
    _write(folder, VALID)
    finished = _validate(folder, "scenario.yaml")
    assert (finished.returncode, finished.stdout, finished.stderr) == (0, "scenario.yaml: ok\n", "")


def test_validate_checks_every_file(folder: Path) -> None:
    _write(folder, VALID, "good.yaml")
    _write(folder, "name: [\n", "bad.yaml")
    finished = _validate(folder, "bad.yaml", "good.yaml")
    assert finished.returncode == 2
    assert finished.stdout == "good.yaml: ok\n"
    assert finished.stderr.startswith("bad.yaml:2: invalid YAML: ")
    assert "Traceback" not in finished.stderr


def test_transfers_with_probability_one_in_a_cycle_are_rejected(tmp_path: Path) -> None:
    """A call caught in a certain transfer cycle would never leave: the run would never end."""
    path = tmp_path / "cycle.yaml"
    path.write_text(
        "name: cycle\n"
        "queues:\n"
        "  - name: a\n"
        "    arrivals: {rate: 10/h}\n"
        "    handle_time: {distribution: constant, mean: 60s}\n"
        "    transfer: {probability: 1, to: b}\n"
        "  - name: b\n"
        "    arrivals: {rate: 10/h}\n"
        "    handle_time: {distribution: constant, mean: 60s}\n"
        "    transfer: {probability: 1, to: a}\n"
        "agents:\n"
        "  - {name: g, count: 2, skills: [a, b]}\n",
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert str(caught.value) == (
        f"{path}:6 queues[0].transfer.probability: transfers with probability 1 form a cycle "
        "(a -> b -> a): a call would never leave the centre"
    )
