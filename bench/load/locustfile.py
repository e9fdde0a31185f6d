"""The whole system under load: people of 300 agencies and the systems outside, through the API.

Run by ``scripts/loadtest.sh`` (which seeds, starts the stack and reads the figures); by hand:

    DOCFLOW_LOAD_SEED=/tmp/load/seed.json locust -f bench/load/locustfile.py --headless \\
        --host http://127.0.0.1:8123 --users 85 --spawn-rate 1 --run-time 120s

Every user signs in once through ``POST /api/v1/auth/token/`` as a member of its own agency
(``bench/load/seed.py`` made them; two users of one role never share an agency, so they never
race each other for the same copy), then works in a loop with a pause between steps:

| user | weight | what it does |
|---|---|---|
| clerk | 4 | opens the list to accept, accepts the oldest copy, opens a copy, issues what its leader approved, reads the bell |
| leader | 2 | opens the approval queue and approves, opens the list to assign and assigns to its staff, reads the statistics |
| staff | 3 | drafts a công văn to two communes and submits it, moves its copies on (05, then 06), searches |
| exchange | one per key | an outside system: pushes documents to communes and pulls what was sent to it, every write signed with its secret (docs/EXCHANGE.md §2), statuses back on what it received |
| issuer | exactly one | every 60 s the district's staff drafts, its leader approves and its clerk issues one document to all 299 communes and the outside systems |

The requests say ``X-Forwarded-Proto: https``, as the TLS proxy in front of production does.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import sys
import uuid
from datetime import date, datetime, timezone

from locust import FastHttpUser, between, constant_pacing, events, task

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
from bench.load.signing import sign  # noqa: E402
SEED = os.environ.get("DOCFLOW_LOAD_SEED", "")
API = "/api/v1"
PROXY = {"X-Forwarded-Proto": "https"}
SUBJECTS = (
    "Về việc báo cáo kết quả thực hiện nhiệm vụ quý",
    "Về việc rà soát hộ nghèo, hộ cận nghèo",
    "Về việc đôn đốc thu ngân sách nhà nước",
    "Về việc chuẩn bị khai giảng năm học mới",
)
WORDS = ("ngan sach", "chuyen doi so", "ho ngheo", "thien tai", "dat dai")


def seed() -> dict:
    if not SEED:
        raise RuntimeError("DOCFLOW_LOAD_SEED names the JSON bench/load/seed.py wrote")
    with open(SEED, encoding="utf-8") as f:
        return json.load(f)


_seed: dict | None = None


def state() -> dict:
    global _seed
    if _seed is None:
        _seed = seed()
    return _seed


# One counter per role: the n-th user of a role works in the n-th commune.
_next = {role: itertools.count() for role in ("clerk", "leader", "staff", "exchange")}


class Member(FastHttpUser):
    """A person of one agency, signed in once with a token."""

    abstract = True
    role = ""
    wait_time = between(0.2, 0.8)

    def on_start(self) -> None:
        agencies = state()["agencies"]
        self.agency = agencies[next(_next[self.role]) % len(agencies)]
        self.token = self.login(self.agency[self.role])

    def login(self, username: str) -> str:
        with self.client.post(f"{API}/auth/token/", json={"username": username, "password": state()["password"]},
                              headers=PROXY, name="auth/token", catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"login {username}: {response.status_code}")
                raise RuntimeError(f"login {username}: {response.status_code}")
            return response.json()["token"]

    def api(self, method: str, path: str, name: str, *, token: str | None = None, **kwargs):
        headers = {**PROXY, "Authorization": f"Token {token or self.token}", **kwargs.pop("headers", {})}
        return self.client.request(method, f"{API}{path}", name=name, headers=headers, **kwargs)

    def results(self, path: str, name: str, **kwargs) -> list[dict]:
        response = self.api("GET", path, name, **kwargs)
        return response.json()["results"] if response.status_code == 200 else []


class Clerk(Member):
    role = "clerk"
    weight = 4

    @task(5)
    def list_to_accept(self):
        self.results("/incoming/?list=to_accept", "incoming?list=to_accept")

    @task(3)
    def accept_oldest(self):
        rows = self.results("/incoming/?list=to_accept", "incoming?list=to_accept")
        if rows:
            self.api("POST", f"/incoming/{rows[-1]['id']}/accept/", "incoming/{id}/accept")

    @task(3)
    def open_copy(self):
        rows = self.results("/incoming/", "incoming")
        if rows:
            self.api("GET", f"/incoming/{random.choice(rows)['id']}/", "incoming/{id}")

    @task(1)
    def issue_approved(self):
        docs = self.results("/outgoing/?state=approved", "outgoing?state=approved")
        if docs:
            self.api("POST", f"/outgoing/{docs[0]['id']}/issue/", "outgoing/{id}/issue")

    @task(2)
    def bell(self):
        self.api("GET", "/notifications/unread-count/", "notifications/unread-count")


class Leader(Member):
    role = "leader"
    weight = 2

    @task(3)
    def approve(self):
        docs = self.results("/outgoing/?state=pending_approval", "outgoing?state=pending_approval")
        if docs:
            self.api("POST", f"/outgoing/{docs[0]['id']}/approve/", "outgoing/{id}/approve")

    @task(3)
    def assign(self):
        rows = self.results("/incoming/?list=to_approve", "incoming?list=to_approve")
        if rows:
            self.api("POST", f"/incoming/{rows[-1]['id']}/assign/", "incoming/{id}/assign",
                     json={"lead": self.agency["staff"], "instruction": "Đề nghị tham mưu xử lý."})

    @task(2)
    def dashboard(self):
        self.results("/incoming/?list=overdue", "incoming?list=overdue")

    @task(1)
    def statistics(self):
        self.api("GET", "/statistics/", "statistics")


class Staff(Member):
    role = "staff"
    weight = 3

    @task(2)
    def draft_and_submit(self):
        communes = random.sample([a for a in state()["agencies"] if a is not self.agency], 2)
        response = self.api("POST", "/outgoing/", "outgoing (create)", json={
            "doc_type": "cong_van", "subject": random.choice(SUBJECTS), "urgency": "normal",
            "secrecy": "normal", "body": "Đề nghị các đơn vị phối hợp thực hiện.",
            "signer": self.agency["leader"], "recipients": [c["code"] for c in communes],
        })
        if response.status_code == 201:
            self.api("POST", f"/outgoing/{response.json()['id']}/submit/", "outgoing/{id}/submit")

    @task(3)
    def handle(self):
        rows = self.results("/incoming/?list=to_handle&mine=1", "incoming?list=to_handle")
        if not rows:
            return
        row = rows[-1]
        step = "progress" if row["status_code"] == "04" else "complete"
        self.api("POST", f"/incoming/{row['id']}/{step}/", f"incoming/{{id}}/{step}",
                 json={"note": "Đã xử lý theo chỉ đạo."})

    @task(2)
    def search(self):
        self.api("GET", f"/incoming/?q={random.choice(WORDS)}", "incoming?q=")

    @task(1)
    def drafts(self):
        self.results("/outgoing/", "outgoing")


class Exchange(FastHttpUser):
    """A system outside Docflow with its own key, within its rate limits (120 requests and 30
    writes a minute per key): about 24 requests a minute."""

    fixed_count = int(os.environ.get("DOCFLOW_LOAD_EXCHANGE_USERS", "4"))
    wait_time = between(2, 3)

    def on_start(self) -> None:
        keys = state()["exchange"]
        self.key = keys[next(_next["exchange"]) % len(keys)]
        self.since = ""
        self.received: list[str] = []
        self.answered: set[str] = set()

    def request(self, method: str, path: str, name: str, body: bytes | None = None, **headers):
        headers = {**PROXY, "Authorization": f"Api-Key {self.key['key']}", **headers}
        if body is not None:
            headers.update({"Content-Type": "application/json", **sign(self.key["secret"], body)})
        return self.client.request(method, f"{API}/exchange{path}", name=f"exchange/{name}", data=body,
                                   headers=headers)

    @task(2)
    def push(self):
        number = random.randint(1, 9999)
        body = json.dumps({
            "sender_code": self.key["code"], "recipients": [c["code"] for c in random.sample(state()["agencies"], 3)],
            "number": number, "notation": f"{number}/SĐT-VP", "issued_at": date.today().isoformat(),
            "place": "Sơn La", "doc_type": "cong_van", "subject": random.choice(SUBJECTS),
            "content": "Đề nghị Ủy ban nhân dân các xã thực hiện.", "urgency": "normal",
            "signer": {"full_name": "Cầm Văn Xuân", "position": "Phó Giám đốc"},
        }, ensure_ascii=False).encode()
        self.request("POST", "/documents/", "documents (push)", body, **{"Idempotency-Key": str(uuid.uuid4())})

    @task(3)
    def pull(self):
        response = self.request("GET", f"/documents/?since={self.since}" if self.since else "/documents/",
                                "documents (pull)")
        if response.status_code == 200:
            page = response.json()
            self.since = page.get("since") or self.since
            self.received.extend(item["id"] for item in page["results"])

    @task(1)
    def answer(self):
        waiting = [d for d in self.received if d not in self.answered]
        if not waiting:
            return
        document_id = waiting[0]
        self.answered.add(document_id)
        body = json.dumps({"document_id": document_id, "status_code": "03",
                           "description": "Đã tiếp nhận", "staff": "Lò Thị Mai",
                           "timestamp": datetime.now(timezone.utc).isoformat()}).encode()
        self.request("POST", "/status/", "status (push)", body, **{"Idempotency-Key": str(uuid.uuid4())})


class Issuer(Member):
    """The district: every 60 s one document to all its communes and the outside systems."""

    fixed_count = 1
    wait_time = constant_pacing(60)

    def on_start(self) -> None:
        self.agency = state()["issuer"]
        self.tokens = {role: self.login(self.agency[role]) for role in ("staff", "leader", "clerk")}
        self.recipients = [a["code"] for a in state()["agencies"]] + [k["code"] for k in state()["exchange"]]

    @task
    def issue_to_all(self):
        created = self.api("POST", "/outgoing/", "issuer: outgoing (create)", token=self.tokens["staff"], json={
            "doc_type": "cong_van", "subject": "Về việc triển khai nhiệm vụ trọng tâm tháng", "urgency": "urgent",
            "secrecy": "normal", "body": "Ủy ban nhân dân huyện đề nghị các xã triển khai thực hiện.",
            "signer": self.agency["leader"], "recipients": self.recipients,
        })
        if created.status_code != 201:
            return
        url = f"/outgoing/{created.json()['id']}"
        self.api("POST", f"{url}/submit/", "issuer: outgoing/{id}/submit", token=self.tokens["staff"])
        self.api("POST", f"{url}/approve/", "issuer: outgoing/{id}/approve", token=self.tokens["leader"])
        self.api("POST", f"{url}/issue/", "issuer: outgoing/{id}/issue (to all)", token=self.tokens["clerk"])


@events.init_command_line_parser.add_listener
def _(parser):
    parser.add_argument("--load-seed", default=SEED, help="the JSON bench/load/seed.py wrote")


@events.init.add_listener
def _(environment, **kwargs):
    global SEED
    if environment.parsed_options is not None and environment.parsed_options.load_seed:
        SEED = environment.parsed_options.load_seed
