"""Analytics (issue 15): how the assistant does, from the tracker store into a small aggregate.

aggregate.py reads the tracker store's events incrementally into the staff database;
report.py computes the dashboard's figures from that aggregate; cli.py is
`python -m bot analytics`.
"""
