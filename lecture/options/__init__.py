"""Options: the table of every option (table), and lecture.toml plus the command line into checked parameters (resolve)."""
