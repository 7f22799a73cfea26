"""The suite's tests. Installed as the package ``dezero_check``: the properties
(``properties/``) and their helpers (``helpers/``), which is why the two reach each
other by relative imports; the reference's own tests, the self-test and its
fixtures stay in the repository."""
