"""Benchmark: what authenticating one API request costs, our hashed tokens against DRF's plain
``TokenAuthentication``, in the same run.

Run from the repository root (migrated first; embedded SQLite, or PostgreSQL with DATABASE_URL):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/docflow_bench_auth \\
        .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/docflow_bench_auth \\
        .venv/bin/python bench/bench_auth.py [--tokens 5000] [--lookups 3000]

``--tokens`` users each get one token of ours (``token_issue``) and one plain DRF-style token in
a table made for the run (the same shape as ``authtoken_token``: the key as primary key, the
user's id); the baseline is DRF's own ``TokenAuthentication`` pointed at that table. Each
lookup authenticates a ``Authorization: Token <key>`` request of a random user: ours hashes
the key, reads the token joined to its user (and the user's memberships: none here) by the
digest's unique index and checks expiry and password mark; DRF reads by the key's primary key.
Then a web page's read of its user's memberships (``memberships_of_user``: one statement built
once, ``docflow.core.db.joined``) against the same read through the ORM (``select_related`` of
agency, agency above and unit, the sub-agencies' EXISTS annotated), for members of 20 agencies.
On PostgreSQL ours runs twice: with its lookup prepared on the connection (as it runs) and not
(as ``DATABASE_URL``'s ``?prepare=off`` runs it; docs/RUNTIME.md "Prepared statements"). Prints
the median and p95 per lookup and the queries per lookup. Everything the run made is deleted at the end.
Not a test: performance is measured here, never asserted in the test suite.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.datagen import django_setup  # noqa: E402

PREFIX = "bauth_"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tokens", type=int, default=5000)
    parser.add_argument("--lookups", type=int, default=3000)
    args = parser.parse_args()
    django_setup()

    import secrets

    from django.contrib.auth.hashers import make_password
    from django.db import connection, models
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from rest_framework.authentication import TokenAuthentication as DRFTokenAuthentication
    from rest_framework.request import Request

    from docflow.api.models import ApiToken
    from docflow.api.tokens import TokenAuthentication, key_digest, password_mark, token_issue
    from docflow.tenancy.models import User

    class PlainToken(models.Model):  # authtoken_token's shape, for the baseline only
        key = models.CharField(max_length=40, primary_key=True)
        user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="+")

        class Meta:
            app_label = "api"
            db_table = "bench_plain_token"
            managed = False

    class PlainAuthentication(DRFTokenAuthentication):
        model = PlainToken

    cleanup(connection, PlainToken)
    with connection.schema_editor() as editor:
        editor.create_model(PlainToken)
    try:
        started = time.perf_counter()
        password = make_password("bench-pass-123")
        User.objects.bulk_create(
            [User(username=f"{PREFIX}{i}", password=password) for i in range(args.tokens)], batch_size=1000)
        users = list(User.objects.filter(username__startswith=PREFIX).order_by("pk"))
        ours = [secrets.token_hex(20) for _ in users]  # as token_issue makes them, in bulk
        now = timezone.now()
        ApiToken.objects.bulk_create([
            ApiToken(prefix=k[:8], digest=key_digest(k), user=u, device="bench", password_mark=password_mark(u),
                     created_at=now, last_used_at=now, expires_at=now + timedelta(days=30))
            for k, u in zip(ours, users)], batch_size=1000)
        assert TokenAuthentication().authenticate_credentials(token_issue(user=users[0])[1])[0] == users[0]
        plain = [secrets.token_hex(20) for _ in users]
        PlainToken.objects.bulk_create([PlainToken(key=k, user=u) for k, u in zip(plain, users)], batch_size=1000)
        print(f"{args.tokens:,} users with one token each ({connection.vendor}), "
              f"made in {time.perf_counter() - started:.1f} s", flush=True)

        # Steady state: every token was used within the minute, so no lookup writes last_used_at.
        ApiToken.objects.filter(user__username__startswith=PREFIX).update(last_used_at=timezone.now())
        factory = RandomFactory(RequestFactory())
        picks = [random.randrange(len(users)) for _ in range(args.lookups)]
        contenders = {"DRF TokenAuthentication (plain key)": (PlainAuthentication(), plain, True),
                      "Docflow TokenAuthentication (hashed)": (TokenAuthentication(), ours, True)}
        if hasattr(connection, "prepare_enabled"):
            contenders["Docflow, its lookup not prepared"] = (TokenAuthentication(), ours, False)
        for auth, keys, prepare in contenders.values():
            connection.prepare_enabled = prepare
            for i in picks[:200]:  # warm the caches and the connection
                auth.authenticate(factory.request(keys[i], Request))
        # Interleaved, in alternating order, so a busy machine slows both alike.
        times = {name: [] for name in contenders}
        queries = dict.fromkeys(contenders, 0)
        for n, i in enumerate(picks):
            for name in (list(contenders) if n % 2 else list(reversed(contenders))):
                auth, keys, prepare = contenders[name]
                connection.prepare_enabled = prepare
                request = factory.request(keys[i], Request)
                connection.queries_log.clear()
                with CaptureQueriesContext(connection) as captured:
                    t0 = time.perf_counter()
                    user, _token = auth.authenticate(request)
                    times[name].append(time.perf_counter() - t0)
                queries[name] += len(captured)
                assert user.pk == users[i].pk
        results = {name: (statistics.median(t), quantile(t, 0.95), queries[name] / len(picks))
                   for name, t in times.items()}
        base = results["DRF TokenAuthentication (plain key)"][0]
        print(f"{args.lookups:,} lookups of random users:")
        for name, (median, p95, per) in results.items():
            print(f"  {name:40s} median {median * 1e6:7.1f} µs  p95 {p95 * 1e6:7.1f} µs  "
                  f"{per:.2f} queries  ×{median / base:.2f}")
        memberships_read(args.lookups)
    finally:
        PlainToken.objects.all().delete()
        ApiToken.objects.filter(user__username__startswith=PREFIX).delete()
        User.objects.filter(username__startswith=PREFIX).delete()
        cleanup(connection, PlainToken)


def memberships_read(lookups: int) -> None:
    """``memberships_of_user`` against the ORM's query of the same memberships, interleaved."""
    from django.db.models import Exists, OuterRef

    from bench.datagen import Dataset
    from docflow.core.scoping import cross_agency
    from docflow.tenancy.models import Agency, Membership, User
    from docflow.tenancy.selectors import memberships_of_user

    def orm(user):
        with cross_agency("directory"):
            return list(
                Membership.objects.filter(user=user, is_active=True, agency__is_active=True)
                .select_related("agency", "agency__parent", "unit")
                .annotate(agency_has_below=Exists(
                    Agency.objects.filter(parent_id=OuterRef("agency_id"), is_external=False)))
                .order_by("created_at", "id"))

    Dataset.delete(tag="AUTH")
    data = Dataset.create(tag="AUTH", agencies=20)
    try:
        users = list(User.objects.filter(pk__in={m.user_id for m in data.memberships}))
        contenders = {"memberships_of_user (joined read)": lambda u: memberships_of_user(user=u),
                      "the same read through the ORM": orm}
        for user in users[:10]:
            ours, theirs = memberships_of_user(user=user), orm(user)
            assert [(m.pk, m.agency.code, m.agency.parent_id, m.unit_id, m.agency_has_below) for m in ours] == \
                   [(m.pk, m.agency.code, m.agency.parent_id, m.unit_id, m.agency_has_below) for m in theirs]
        times = {name: [] for name in contenders}
        for n in range(lookups):
            user = users[n % len(users)]
            for name in (list(contenders) if n % 2 else list(reversed(contenders))):
                t0 = time.perf_counter()
                contenders[name](user)
                times[name].append(time.perf_counter() - t0)
        base = statistics.median(times["the same read through the ORM"])
        print(f"{lookups:,} reads of a member's memberships:")
        for name, t in times.items():
            print(f"  {name:40s} median {statistics.median(t) * 1e6:7.1f} µs  p95 {quantile(t, 0.95) * 1e6:7.1f} µs  "
                  f"×{statistics.median(t) / base:.2f}")
    finally:
        Dataset.delete(tag="AUTH")


class RandomFactory:
    def __init__(self, factory) -> None:
        self.factory = factory

    def request(self, key, wrap):
        return wrap(self.factory.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}"))


def quantile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def cleanup(connection, model) -> None:
    if model._meta.db_table in connection.introspection.table_names():
        with connection.schema_editor() as editor:
            editor.delete_model(model)


if __name__ == "__main__":
    main()
