"""The load test's data: 300 agencies with a member of every role, their registers, documents
already sent and received, and the keys of the systems outside that use the exchange API.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/docflow_load python bench/load/seed.py \\
        --out /tmp/load/seed.json [--agencies 300] [--exchange-clients 4] [--history 100]

Agency 0 is the issuer (a district, the parent of the others); agencies 1…299 are its communes,
each with a clerk, a leader, a staff member and an agency admin (``datagen``'s usernames,
password ``datagen.PASSWORD``; no second factor, so the load test signs in by password). The
seed then issues a few documents from the issuer to every commune and to the outside systems
through the services, so every commune has copies waiting to be accepted, and on PostgreSQL adds
``--history`` copies per commune at every status (``datagen.incoming_copies_create``) so the
lists are not empty tables.

Idempotent: a second run finds the 300 agencies and the outside systems and changes nothing but
the keys it cannot read back (an API key is shown once): those are given a new key. ``--out``
is the JSON the locustfile reads (usernames, password, keys).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.datagen import PASSWORD, Dataset, agency_code, django_setup  # noqa: E402
from bench.harness import Stopwatch  # noqa: E402

TAG = "LOAD"
ROLES = ("clerk", "leader", "staff", "agency_admin")
SUBJECT = "Về việc triển khai kế hoạch chuyển đổi số năm 2026 trên địa bàn"


def external_code(index: int) -> str:
    """Codes of the systems outside Docflow (the province's departments on other products)."""
    return f"{index:03d}.00.77.G01"


def username(agency_pk: int, role: str) -> str:
    return f"b{TAG.lower()}_{agency_pk}_{role}"


def agencies_ensure(count: int) -> tuple[list, bool]:
    """The run's agencies, made once: (agencies in code order, whether they were made now)."""
    from django.db import transaction

    from docflow.documents.numbering import registers_provision
    from docflow.tenancy.models import Agency, AgencyLevel

    codes = [agency_code(TAG, i) for i in range(count)]
    found = list(Agency.objects.filter(code__in=codes).order_by("code"))
    if len(found) == count:
        return sorted(found, key=lambda a: codes.index(a.code)), False
    if found:  # a run that stopped halfway, or another size: start again
        Dataset.delete(tag=TAG)
    data = Dataset.create(tag=TAG, agencies=count, roles=ROLES)
    issuer, communes = data.agencies[0], data.agencies[1:]
    with transaction.atomic():
        Agency.objects.filter(pk=issuer.pk).update(level=AgencyLevel.DISTRICT, symbol="UBND",
                                                   name=f"Ủy ban nhân dân huyện Đo Tải {TAG}")
        Agency.objects.filter(pk__in=[a.pk for a in communes]).update(parent=issuer)
        # Logins in the load test are by password: no agency of the run asks a second factor.
        Agency.objects.filter(pk__in=[a.pk for a in data.agencies]).update(require_second_factor=False)
        registers_provision(data.agencies)
    return list(Agency.objects.filter(pk__in=[a.pk for a in data.agencies]).order_by("pk")), True


def exchange_keys_ensure(count: int, previous: dict) -> list[dict]:
    """One key per outside system; a key the previous run wrote down and that still works is
    kept, any other is replaced by a new one (the old one revoked)."""
    from docflow.exchange.clients import client_for_key, exchange_client_create, exchange_client_revoke

    known = {k["code"]: k for k in previous.get("exchange", [])}
    keys = []
    for i in range(1, count + 1):
        code = external_code(i)
        old = known.get(code)
        if old and client_for_key(key=old["key"]) is not None:
            keys.append(old)
            continue
        exchange_client_revoke(code=code)
        issued = exchange_client_create(code=code, name=f"Sở Đo Tải {i} tỉnh Sơn La")
        keys.append({"code": code, "key": issued.key, "secret": issued.signing_secret})
    return keys


def documents_issue(issuer, recipients: list[str], count: int) -> int:
    """``count`` documents from the issuer to ``recipients``, drafted, approved and issued
    through the services, as the load test's issuer does through the API."""
    from docflow.documents.approval import document_approve, document_submit
    from docflow.documents.drafting import document_create
    from docflow.routing.issuing import document_issue
    from docflow.tenancy.models import Membership

    members = {m.user.username: m for m in Membership.objects.cross_agency("system")
               .select_related("user", "agency").filter(agency=issuer)}
    staff, leader, clerk = (members[username(issuer.pk, r)] for r in ("staff", "leader", "clerk"))
    for i in range(count):
        draft = document_create(actor=staff, doc_type="cong_van", subject=f"{SUBJECT} (đợt {i + 1})",
                                body="Đề nghị Ủy ban nhân dân các xã triển khai thực hiện.", recipients=recipients,
                                signer=leader.user.username)
        document_submit(actor=staff, document_id=draft.pk)
        document_approve(actor=leader, document_id=draft.pk)
        document_issue(actor=clerk, document_id=draft.pk)
    return count


def history_create(issuer, communes: list, per_agency: int) -> int:
    """Copies at every status in every commune (PostgreSQL: one INSERT … SELECT per batch)."""
    from bench.datagen import incoming_copies_create

    from docflow.tenancy.models import User

    leads = {int(name.split("_")[1]): pk for name, pk in User.objects.filter(
        username__in=[username(a.pk, "staff") for a in communes]).values_list("username", "pk")}
    return incoming_copies_create(sender=issuer, agencies=communes, leads=leads,
                                  total=per_agency * len(communes), days=365)


def seed(*, agencies: int = 300, exchange_clients: int = 4, history: int = 100, documents: int = 3,
         out: Path | None = None) -> dict:
    from django.db import connection

    previous = json.loads(out.read_text()) if out and out.exists() else {}
    made, fresh = agencies_ensure(agencies)
    issuer, communes = made[0], made[1:]
    keys = exchange_keys_ensure(exchange_clients, previous)
    if fresh:
        recipients = [a.code for a in communes] + [k["code"] for k in keys]
        documents_issue(issuer, recipients, documents)
        if history and connection.vendor == "postgresql":
            history_create(issuer, communes, history)
    state = {
        "password": PASSWORD,
        "issuer": {"code": issuer.code, **{r: username(issuer.pk, r) for r in ROLES}},
        "agencies": [{"code": a.code, **{r: username(a.pk, r) for r in ROLES}} for a in communes],
        "exchange": keys,
    }
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(state, ensure_ascii=False, indent=1))
    state["fresh"] = fresh
    return state


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="the JSON the locustfile reads")
    parser.add_argument("--agencies", type=int, default=300)
    parser.add_argument("--exchange-clients", type=int, default=4)
    parser.add_argument("--history", type=int, default=100, help="copies per commune (PostgreSQL)")
    parser.add_argument("--documents", type=int, default=3, help="documents issued to every commune")
    args = parser.parse_args()
    django_setup()
    with Stopwatch() as watch:
        state = seed(agencies=args.agencies, exchange_clients=args.exchange_clients,
                     history=args.history, documents=args.documents, out=args.out)
    print(f"seed: {args.agencies} agencies, {len(state['exchange'])} exchange keys "
          f"({'made' if state['fresh'] else 'already there'}) in {watch.seconds:.1f} s → {args.out}")


if __name__ == "__main__":
    main()
