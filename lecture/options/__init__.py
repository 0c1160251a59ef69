"""Options: the table of every option (table), the parse-and-checks (checks), the studio's form (form), and
lecture.toml plus the command line into checked parameters (resolve)."""
