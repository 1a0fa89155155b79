-- The practice owner may withdraw a pending transfer request: the state set gains 'cancelled'.
ALTER TABLE practice_transfers DROP CONSTRAINT practice_transfers_state_check;
ALTER TABLE practice_transfers
  ADD CONSTRAINT practice_transfers_state_check CHECK (state IN ('pending', 'approved', 'rejected', 'cancelled'));
