"""Reports explain a failure.

- :mod:`~strategies.reports.culprit`: the guilty Function of a failing graph;
- :mod:`~strategies.reports.reproduce`: a failure's last example as a script that
  replays it;
- :mod:`~strategies.reports.drawing`: the graph of an example, for the report;
- :mod:`~strategies.reports.book`: what the book's own DeZero fails, so a learner's
  failure can be told apart from one the book has too.

Imports: every package above in :mod:`strategies`' list but the plugin.
"""
