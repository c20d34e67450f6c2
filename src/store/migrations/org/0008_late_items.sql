-- Staff see how many late-arriving items each attempt has: count them from
-- a small index of the late ones instead of reading a whole attempt's log.
CREATE INDEX session_log_late ON session_log(session_id) WHERE late = 1;
