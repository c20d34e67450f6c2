-- A candidate link issued again for the same candidate (who closed the
-- browser before submitting) replaces the old one: the old link records its
-- successor, so staff see "replaced" rather than "revoked". The index serves
-- the look-up every request of a candidate makes (which exam the account is
-- for, and until when its session may live).
ALTER TABLE candidate_links ADD COLUMN replaced_by TEXT REFERENCES candidate_links(id);
CREATE INDEX candidate_links_by_user ON candidate_links(user_id);
