#!/usr/bin/env python3
# Usage: scripts/transfer_table_md.py table.csv [more.csv...]  (the CSV of scripts/transfer_table.sh)
# Markdown table from the CSV rows: accuracies with Wilson 95% intervals (eval/interval.h's formula).
import csv, math, sys
z = 1.959963984540054
def wilson(p, n):
    c = (p + z*z/(2*n)) / (1 + z*z/n)
    h = z / (1 + z*z/n) * math.sqrt(p*(1-p)/n + z*z/(4*n*n))
    return max(0, c-h), min(1, c+h)
rows = []
for f in sys.argv[1:]:
    rows += list(csv.DictReader(open(f)))
print("| train images | method | epochs | train s | clean % (95% CI) | FGSM % | PGD-10 % |")
print("|---:|---|---:|---:|---|---|---|")
for r in rows:
    n = int(r["test_images"])
    cells = []
    for k in ("clean", "fgsm", "pgd"):
        p = float(r[k]) / 100
        lo, hi = wilson(p, n)
        cells.append(f"{100*p:.1f} ({100*lo:.1f}–{100*hi:.1f})")
    print(f"| {int(r['train_images']):,} | {r['method']} | {r['epochs']} | {r['train_seconds']} | " + " | ".join(cells) + " |")
