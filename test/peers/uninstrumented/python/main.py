"""A small Python worker with no tracing at all, for the instrumentation tests: they copy it, apply "Set Up
Tracing" and "Trace This Function" to the copy and run it against a local collector. It settles a few invoices
through a plain function, a class method and a function that raises for amounts over 100 (caught per invoice).

usage: python3 main.py [AMOUNT ...]   (prints one JSON line: {"settled": N, "failed": N})
"""
import json
import sys
import time


def parse_amount(raw):
    value = int(raw)
    return max(value, 0)


def charge(amount):
    time.sleep(0.002)
    if amount > 100:
        raise ValueError('amount %d is over the limit' % amount)
    return 'ch-%d' % amount


class Ledger:
    def __init__(self):
        self.lines = []

    def record(self, charge_id, amount):
        self.lines.append((charge_id, amount))
        return len(self.lines)


def main(args):
    ledger = Ledger()
    failed = 0
    for raw in args:
        amount = parse_amount(raw)
        try:
            ledger.record(charge(amount), amount)
        except ValueError:
            failed += 1
    print(json.dumps({'settled': len(ledger.lines), 'failed': failed}))


if __name__ == '__main__':
    main(sys.argv[1:])
