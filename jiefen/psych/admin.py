"""Psychological records are not shown in the admin: their content is encrypted and every
opening must be logged, which only psych.selectors does."""
