-- The minutes of a student's extra time that proctors gave on the exam day,
-- counted apart: the exam's policy bounds what proctors may give in all.
ALTER TABLE extra_time ADD COLUMN by_proctors INTEGER NOT NULL DEFAULT 0 CHECK (by_proctors >= 0);
