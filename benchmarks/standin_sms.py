"""Run the SMS provider stand-in of the tests in its own process for the benchmark.

``python -m benchmarks.standin_sms --api-key K`` prints the base URL on its first
line, serves until its standard input closes, then prints how many distinct
messages it accepted (the stand-in honours ``client_reference``, so a message
asked for twice is delivered once).
"""

from __future__ import annotations

import argparse
import sys

from tests.plugins.standins import SmsStandIn


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--api-key", default="bench-sms-key")
    args = parser.parse_args()
    with SmsStandIn(api_key=args.api_key) as sms:
        print(sms.base_url, flush=True)
        sys.stdin.read()
        print(len(sms.deliveries), flush=True)


if __name__ == "__main__":
    main()
