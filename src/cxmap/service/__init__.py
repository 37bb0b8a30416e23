"""The questions users ask of cxmap, one function each: every face (the CLI, the web pages, the JSON API,
the Python API) calls these and only presents their answers.

- `analysis`: findings (with a period, a split, or one segment value), the report, journeys;
- `views`: what the web's measured pages ask besides (comments, months, segment values, outcomes);
- `accounts`: accounts, account, customer, gate, alerts, milestones, verify;
- `snapshot`: the accounts answers at the latest event, computed once for a store version;
- `intake`: loading events (files, or a batch sent to the API);
- `maps`: list, find, save a version, history;
- `inputs`: values every face parses the same way (days).

Submodules are imported on use: a command that needs no engine does not load one.
"""
