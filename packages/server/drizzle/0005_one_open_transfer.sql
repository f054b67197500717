-- One open transfer per escrow (the tutor is paid once). A database written before this index could
-- hold a second one, asked for while the first was still pending: it was never sent, so it is
-- withdrawn, and the escrow keeps the one in flight (or else the oldest). Two in flight at once would
-- need an operator (money may have moved twice): the index then refuses to build, naming the escrow.
UPDATE money_operations SET status = 'canceled', error_code = 'canceled',
  error_message = 'Superseded: another transfer of this escrow was already open',
  lease_token = NULL, lease_expires_at = NULL, completed_at = updated_at
WHERE kind = 'transfer' AND status = 'pending' AND EXISTS (
  SELECT 1 FROM money_operations AS other
  WHERE other.escrow_id = money_operations.escrow_id AND other.kind = 'transfer' AND other.seq <> money_operations.seq
    AND (other.status = 'in_flight' OR (other.status = 'pending' AND other.seq < money_operations.seq))
);--> statement-breakpoint
CREATE UNIQUE INDEX `money_operations_open_transfer` ON `money_operations` (`escrow_id`) WHERE "kind" = 'transfer' and "status" in ('pending', 'in_flight');