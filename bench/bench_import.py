"""Benchmark: importing a province's directory of 5,000 agencies with a clerk each
(``directory_import``: every line checked, then written in bulk with the units, registers, users,
memberships, one-time links and audit events), against a bare bulk INSERT of the same agencies,
users and memberships in the same run.

Run from the repository root (PostgreSQL with DATABASE_URL, else the embedded SQLite):

    python bench/bench_import.py                    # 5,000 agencies
    python bench/bench_import.py --agencies 500     # quicker

It times the import of the file, the same file again (nothing to change: the check alone), and
the baseline; each run's rows are removed afterwards. Not a test: performance is measured here,
never asserted in the test suite.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.datagen import Dataset, agency_code, django_setup  # noqa: E402

TAG, BASE_TAG = "IMP1", "IMP0"


def directory_csv(tag: str, count: int) -> str:
    """A province and ``count - 1`` communes under it, each with its first clerk."""
    province = agency_code(tag, 0)
    lines = ["code,name,kind,parent_code,symbol,clerk_username,clerk_email\n",
             f"{province},Ủy ban nhân dân tỉnh Đo Hiệu Năng {tag},province,,UBND,,\n"]
    user = f"b{tag.lower()}_"
    lines += [f"{agency_code(tag, i)},Ủy ban nhân dân xã Đo Hiệu Năng {tag} {i},commune,{province},UBND,"
              f"{user}{i}_clerk,{user}{i}@bench.test\n" for i in range(1, count)]
    return "".join(lines)


def bare_insert(tag: str, count: int) -> None:
    """The same agencies, users and memberships as three bulk INSERTs, nothing checked."""
    from django.db import transaction

    from docflow.core.text import fold
    from docflow.tenancy.models import Agency, Membership, User

    with transaction.atomic():
        rows = []
        for i in range(count):
            code, name = agency_code(tag, i), f"Ủy ban nhân dân xã Đo Hiệu Năng {tag} {i}"
            rows.append(Agency(code=code, name=name, level="commune", search_text=fold(f"{code} {name}")))
        agencies = Agency.objects.bulk_create(rows, batch_size=1000)
        users = User.objects.bulk_create([
            User(username=f"b{tag.lower()}_{i}_clerk", email=f"b{tag.lower()}_{i}@bench.test", password="!")
            for i in range(1, count)], batch_size=1000)
        Membership.objects.cross_agency("system").bulk_create([
            Membership(agency_id=a.pk, user_id=u.pk, is_clerk=True) for a, u in zip(agencies[1:], users)
        ], batch_size=1000)


def timed(step) -> float:
    start = time.perf_counter()
    step()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agencies", type=int, default=5000)
    args = parser.parse_args()
    django_setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from docflow.tenancy.directory_import import directory_import

    settings.DEBUG = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0)
    for tag in (TAG, BASE_TAG):
        Dataset.delete(tag=tag)
    text = directory_csv(TAG, args.agencies)
    try:
        results = {}
        first = timed(lambda: results.setdefault("first", directory_import(text=text)))
        again = timed(lambda: results.setdefault("again", directory_import(text=text)))
        base = timed(lambda: bare_insert(BASE_TAG, args.agencies))
    finally:
        for tag in (TAG, BASE_TAG):
            Dataset.delete(tag=tag)
    done = results["first"]
    print(f"{connection.vendor}: {args.agencies:,} agencies, a clerk each")
    print(f"  import_agencies (check + bulk write): {first:8.2f} s   "
          f"{done.created:,} created, {len(done.logins):,} one-time links")
    print(f"  the same file again (nothing changes): {again:7.2f} s   "
          f"{results['again'].created} created {results['again'].updated} updated")
    print(f"  bare bulk INSERT of the same rows:    {base:8.2f} s")
    print(f"  import / bare: {first / base:.1f}×")


if __name__ == "__main__":
    main()
