"""How long the dashboard's pages take to render with 10,000 records in an account (and
10,000 accounts): `.venv/bin/python -m bench.dashboard [--records N] [--accounts N]`.

The emulator runs in this process (the pages' own work, not HTTP's); the records are
Systeme.io contacts made through the API itself, the accounts registered through the engine.
Each page is rendered 20 times; the median and the slowest are reported, in milliseconds.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from typing import Any

from mockserver.app import create_app, emulator_of
from mockserver.engine.settings import Settings

KEY = "dashboard-bench-account"


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.dashboard", description=__doc__)
    parser.add_argument("--records", type=int, default=10_000, help="contacts in the measured account (default: 10,000)")
    parser.add_argument("--accounts", type=int, default=10_000, help="accounts in all (default: 10,000)")
    parser.add_argument("--runs", type=int, default=20, help="renders of each page (default: 20)")
    args = parser.parse_args()

    app = create_app(Settings(demo_data=False, rate_limit=10**9, max_accounts=args.accounts + 10), deliver=False)
    engine = emulator_of(app)
    client = app.test_client()
    try:
        headers = {"X-API-Key": KEY}
        for number in range(args.records):
            made = client.post("/systeme/api/contacts", json={"email": f"person{number}@example.com"}, headers=headers)
            assert made.status_code == 201, made.get_data(as_text=True)
        systeme = engine.providers["systeme"]
        for number in range(args.accounts - 1):
            engine.create_tenant(systeme, f"other-account-{number:05d}")
        ref = app.extensions["mockserver.dashboard"].refs.of("systeme", KEY)
        account = f"/__dashboard/accounts/systeme/{ref}"
        pages = {
            "accounts": "/__dashboard/",
            "account (its contacts, first page)": account,
            "contacts, page 100": f"{account}/records/contacts?page=100",
            "contacts, search by e-mail": f"{account}/records/contacts?q=person9999%40example.com",
            "requests": "/__dashboard/requests",
        }
        figures: dict[str, Any] = {"records": args.records, "accounts": args.accounts, "runs": args.runs, "ms": {}}
        for name, url in pages.items():
            times = []
            for _ in range(args.runs):
                started = time.perf_counter()
                answer = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
                assert answer.status_code == 200, (url, answer.status_code)
            figures["ms"][name] = {"median": round(statistics.median(times), 1), "max": round(max(times), 1)}
    finally:
        engine.dispatcher.stop()
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
