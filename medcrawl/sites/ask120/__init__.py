"""www.120ask.com (快速问医生): site key `120ask`, package `ask120` (no Python name starts
with a digit)."""
