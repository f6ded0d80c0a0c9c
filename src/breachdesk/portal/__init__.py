"""The public portal: the notice page, genuine-notice checks, look-ups, enrolment,
questions and claims."""
