"""Learnloop under a realistic mix of people: `locust -f bench/load/locustfile.py --host http://127.0.0.1:5000`.

Five kinds of people (50 in all: 20 browsers, 15 players, 5 cheerleaders, 6 leads, 4 admins; see MIX),
each signing in once with an account of their own and pausing 1-3 s between
actions, as someone reading a page does:

- Browser (employee): dashboard, a challenge, its leaderboards (page and live refresh), the team
  feed, a library search.
- Player (employee): completes a mission, then answers the reflection prompt the workers write
  for it once it is ready.
- Cheerleader (employee): reads the team feed and gives kudos or feedback to teammates.
- Lead: the review queue, a draft summary beside its sources, team lessons, the team dashboard.
- Admin: programme dashboards across and per challenge, the jobs page.

Accounts come from the JSON file named by LOAD_ACCOUNTS ({"password": ..., "employees": [...],
"leads": [...], "admins": [...]}); without it, the demo accounts of `make run`. Everything else
(challenges, missions, feed items, prompts, summaries) is found on the pages themselves, so the
same file runs against the demo data and the scale seed.

LOAD_STOP_WHEN_SEEN ("name=count,...") ends the run as soon as each named request has succeeded that many
times, so a short smoke run waits for what it checks instead of for a fixed time (`-t` stays the deadline).

A mission refused by a product rule (a limit, a cooldown, the daily point cap) is a correct
answer, not an error: it is counted under "mission refused by a rule (422)" instead.
"""
from __future__ import annotations

import itertools
import json
import os
import random
import re
import uuid

import gevent

from locust import HttpUser, between, events, task

CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
CHALLENGE_LINK = re.compile(r'href="/play/challenges/(\d+)"')
MISSION_CARD = re.compile(r'<article id="mission-(\d+)" class="mission-card[^"]*">(.*?)</article>', re.S)
KUDOS_FORM = re.compile(r'action="/play/feed/(completion|reflection)/(\d+)/kudos"')
FEEDBACK_FORM = re.compile(r'action="/play/feed/(completion|reflection)/(\d+)/feedback"')
READY_PROMPT = re.compile(r'href="/reflection/prompts/(\d+)" role="button"')
SUMMARY_LINK = re.compile(r'href="/review/summaries/(\d+)"')
MONITORED_CHALLENGE = re.compile(r'href="/monitoring/challenges/(\d+)"')
LIMITED = re.compile(r"done \d+ of \d+|h cooldown")
SEARCHES = ["", "test", "deploy", "cache", "mistake", "pairing", "checklist"]
HTMX = {"HX-Request": "true"}

DEMO_ACCOUNTS = {
    "password": "learnloop",
    "employees": [f"{name}@example.com" for name in (
        "employee", "bilal", "chen", "dara", "elif", "femi", "hiro", "ines", "jonas", "kemi", "luca", "maya",
        "nico", "olga", "priya", "quinn", "rosa", "sami", "tariq", "uma", "vera", "wen", "yara")],
    "leads": ["lead@example.com"],
    "admins": ["admin@example.com"],
}


def _accounts() -> dict:
    path = os.environ.get("LOAD_ACCOUNTS")
    if not path:
        return DEMO_ACCOUNTS
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


ACCOUNTS = _accounts()
# How many people of each kind run at once (locust's fixed_count), 50 in all; LOAD_MIX overrides, e.g.
# "browser=1,player=1,cheerleader=1,lead=1,admin=1". Run with -u equal to the sum.
MIX = {"browser": 20, "player": 15, "cheerleader": 5, "lead": 6, "admin": 4}
MIX.update({name.strip(): int(count) for name, count in
            (part.split("=") for part in os.environ.get("LOAD_MIX", "").split(",") if part.strip())})
STOP_WHEN_SEEN = {name.strip(): int(count) for name, _, count in
                  (part.rpartition("=") for part in os.environ.get("LOAD_STOP_WHEN_SEEN", "").split(",") if part.strip())}
_seen: dict[str, int] = {}


@events.request.add_listener
def _stop_once_everything_was_seen(request_type, name, response_time, response_length, exception=None,
                                   context=None, **_kwargs):
    if not STOP_WHEN_SEEN or exception is not None or name not in STOP_WHEN_SEEN:
        return
    _seen[name] = _seen.get(name, 0) + 1
    if all(_seen.get(wanted, 0) >= count for wanted, count in STOP_WHEN_SEEN.items()) and not _seen.get(""):
        _seen[""] = 1
        # Quit from a greenlet of its own: this handler runs inside a user's greenlet, which quitting kills.
        gevent.spawn(_stop_once_everything_was_seen.environment.runner.quit)


@events.init.add_listener
def _remember_environment(environment, **_kwargs):
    _stop_once_everything_was_seen.environment = environment


# One stream of accounts per role, shared by the classes of that role, so no two users share a session.
_NEXT = {role: itertools.cycle(ACCOUNTS[role]) for role in ("employees", "leads", "admins")}


class Person(HttpUser):
    """Signs in once with its own account, then keeps the CSRF token of the last page it read."""

    abstract = True
    wait_time = between(1, 3)
    role = "employees"

    def on_start(self) -> None:
        if self.sign_in():
            self.first_visit()

    def first_visit(self) -> None:
        """What this kind of person opens first after signing in (their main page), before random tasks."""

    def sign_in(self) -> bool:
        self.email = next(_NEXT[self.role])
        self.token = ""
        self.challenges: list[int] = []
        self.page("/login", "sign-in page")
        with self.client.post("/login", data={"email": self.email, "password": ACCOUNTS["password"],
                                               "csrf_token": self.token},
                              name="sign in (POST)", allow_redirects=False, catch_response=True) as response:
            if response.status_code != 303:
                response.failure(f"sign-in of {self.email} answered {response.status_code}")
                self.stop(force=False)
                return False
        self.dashboard()
        return True

    def page(self, path: str, name: str, htmx: bool = False, expect: str | None = None) -> str:
        """GET a page; anything but a 200 with `expect` in it is a failure. Returns the body ('' on failure)."""
        with self.client.get(path, name=name, headers=HTMX if htmx else None, catch_response=True,
                             allow_redirects=False) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} for {path}: {response.error or response.reason}")
                return ""
            if expect is not None and expect not in response.text:
                response.failure(f"{path}: {expect!r} missing")
                return ""
            found = CSRF.search(response.text)
            if found:
                self.token = found.group(1)
            return response.text

    def post(self, path: str, name: str, data: dict, ok=(200,), refused_name: str | None = None) -> str:
        """POST as htmx does (CSRF header and field). A 422 counts under `refused_name` when one is given."""
        with self.client.post(path, name=name, data={"csrf_token": self.token, **data},
                              headers={**HTMX, "X-CSRFToken": self.token}, catch_response=True,
                              allow_redirects=False) as response:
            if response.status_code == 422 and refused_name:
                response.success()
                self.environment.events.request.fire(
                    request_type="RULE", name=refused_name, response_time=response.elapsed.total_seconds() * 1000,
                    response_length=len(response.content), exception=None, context={})
                return ""
            if response.status_code not in ok:
                response.failure(f"{response.status_code} for {path}: {response.error or response.reason}")
                return ""
            return response.text

    def dashboard(self) -> None:
        body = self.page("/dashboard", "dashboard", expect="Reflection prompts")
        found = sorted({int(number) for number in CHALLENGE_LINK.findall(body)})
        if found:
            self.challenges = found

    def challenge(self) -> int | None:
        return random.choice(self.challenges) if self.challenges else None


class Browser(Person):
    """An employee looking around: dashboard, challenge, leaderboards, feed, library."""

    fixed_count = MIX["browser"]

    @task(3)
    def dashboard_page(self):
        self.dashboard()

    @task(3)
    def challenge_page(self):
        if (challenge := self.challenge()) is not None:
            self.page(f"/play/challenges/{challenge}", "challenge page", expect="mission-card")

    @task(2)
    def leaderboards(self):
        if (challenge := self.challenge()) is not None:
            self.page(f"/play/challenges/{challenge}/leaderboard", "leaderboards page")
            self.page(f"/play/challenges/{challenge}/leaderboard", "leaderboards live refresh (htmx)", htmx=True)

    @task(2)
    def feed(self):
        if (challenge := self.challenge()) is not None:
            self.page(f"/play/challenges/{challenge}/feed", "team feed")

    @task(1)
    def library(self):
        query = random.choice(SEARCHES)
        self.page(f"/library?q={query}" if query else "/library", "library search")


class Player(Person):
    """An employee playing: completes missions and answers the reflection prompts that follow."""

    fixed_count = MIX["player"]

    def first_visit(self) -> None:
        self.complete_mission()

    @task(3)
    def complete_mission(self):
        challenge = self.challenge()
        if challenge is None:
            return
        body = self.page(f"/play/challenges/{challenge}", "challenge page", expect="mission-card")
        # Missions with a cooldown or a limit would mostly be refused; a person picks one they can do.
        open_missions = [int(mission) for mission, card in MISSION_CARD.findall(body)
                         if "<form" in card and not LIMITED.search(card.split("</summary>")[0])]
        if not open_missions:
            return
        mission = random.choice(open_missions)
        self.post(f"/play/missions/{mission}/complete", "complete mission (POST)",
                  {"evidence_text": "Tried it on real work and wrote down what surprised me.",
                   "idempotency_key": uuid.uuid4().hex},
                  refused_name="mission refused by a rule (422)")

    @task(2)
    def reflect(self):
        panel = self.page("/reflection/prompts", "reflection prompts panel (htmx)", htmx=True,
                          expect="reflection-prompts")
        ready = READY_PROMPT.findall(panel)
        if not ready:
            return
        prompt = ready[0]
        self.page(f"/reflection/prompts/{prompt}", "reflection prompt page")
        self.post(f"/reflection/prompts/{prompt}/answer", "answer reflection prompt (POST)",
                  {"body": "What surprised me was how much a short checklist helped; next time I will start with it.",
                   "visibility": random.choice(["private", "team"])})

    @task(1)
    def dashboard_page(self):
        self.dashboard()


class Cheerleader(Person):
    """An employee encouraging teammates: reads the feed, gives kudos and now and then feedback."""

    fixed_count = MIX["cheerleader"]

    @task
    def kudos_or_feedback(self):
        challenge = self.challenge()
        if challenge is None:
            return
        body = self.page(f"/play/challenges/{challenge}/feed", "team feed")
        if random.random() < 0.75:
            items = KUDOS_FORM.findall(body)
            if items:
                kind, item = random.choice(items)
                self.post(f"/play/feed/{kind}/{item}/kudos", "give kudos (POST)", {}, ok=(200, 303))
        else:
            items = FEEDBACK_FORM.findall(body)
            if items:
                kind, item = random.choice(items)
                self.post(f"/play/feed/{kind}/{item}/feedback", "give feedback (POST)",
                          {"body": "Clear write-up: the before/after numbers made the point. Maybe add the rollback?",
                           "idempotency_key": uuid.uuid4().hex},
                          ok=(200, 303), refused_name="feedback refused by a rule (422)")


class Lead(Person):
    """A team lead: reviews lesson summaries beside their sources and looks at the team's figures."""

    fixed_count = MIX["lead"]
    role = "leads"

    def first_visit(self) -> None:
        self.review()

    @task(3)
    def review(self):
        queue = self.page("/review", "review queue")
        summaries = SUMMARY_LINK.findall(queue)
        if summaries:
            self.page(f"/review/summaries/{random.choice(summaries)}", "review draft page")

    @task(1)
    def team_lessons(self):
        self.page("/reflection/team", "team lessons")

    @task(1)
    def team_dashboard(self):
        self.page("/monitoring/", "monitoring overview")

    @task(1)
    def dashboard_page(self):
        self.dashboard()


class Admin(Person):
    """An administrator watching the programme."""

    fixed_count = MIX["admin"]
    role = "admins"

    def first_visit(self) -> None:
        self.overview()

    @task(2)
    def overview(self):
        body = self.page("/monitoring/", "monitoring overview")
        self.monitored = sorted({int(number) for number in MONITORED_CHALLENGE.findall(body)}) or getattr(
            self, "monitored", [])

    @task(3)
    def challenge_dashboard(self):
        monitored = getattr(self, "monitored", None)
        if not monitored:
            return self.overview()
        self.page(f"/monitoring/challenges/{random.choice(monitored)}", "monitoring challenge")

    @task(1)
    def jobs(self):
        self.page("/admin/jobs", "jobs page")
