"""The `cxmap` command line: thin commands that parse input, call one service, present its result."""
