"""The command line: thin click commands, one module per verb, one error handler."""
