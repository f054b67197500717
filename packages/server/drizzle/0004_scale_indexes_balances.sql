CREATE TABLE `tutor_balances` (
	`tenant_id` text NOT NULL,
	`tutor_id` text NOT NULL,
	`currency` text NOT NULL,
	`pending` integer DEFAULT 0 NOT NULL,
	`disputed` integer DEFAULT 0 NOT NULL,
	`released` integer DEFAULT 0 NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`tenant_id`, `tutor_id`, `currency`)
);
--> statement-breakpoint
DROP INDEX `events_booking`;--> statement-breakpoint
CREATE INDEX `events_tenant_type_seq` ON `events` (`tenant_id`,`type`,`seq`);--> statement-breakpoint
CREATE INDEX `events_booking` ON `events` (`booking_id`,`seq`);--> statement-breakpoint
CREATE INDEX `bookings_tenant_status_seq` ON `bookings` (`tenant_id`,`status`,`seq`);--> statement-breakpoint
CREATE INDEX `bookings_tenant_tutor_seq` ON `bookings` (`tenant_id`,`tutor_id`,`seq`);--> statement-breakpoint
CREATE INDEX `bookings_tenant_student_seq` ON `bookings` (`tenant_id`,`student_id`,`seq`);--> statement-breakpoint
CREATE INDEX `escrows_tenant_status_seq` ON `escrows` (`tenant_id`,`status`,`seq`);--> statement-breakpoint
CREATE INDEX `escrows_tenant_tutor_seq` ON `escrows` (`tenant_id`,`tutor_id`,`seq`);--> statement-breakpoint
CREATE INDEX `idempotency_keys_created` ON `idempotency_keys` (`created_at`);--> statement-breakpoint
CREATE INDEX `money_operations_tenant_status_seq` ON `money_operations` (`tenant_id`,`status`,`seq`);--> statement-breakpoint
CREATE INDEX `money_operations_tenant_kind_seq` ON `money_operations` (`tenant_id`,`kind`,`seq`);--> statement-breakpoint
CREATE INDEX `money_operations_tenant_escrow_seq` ON `money_operations` (`tenant_id`,`escrow_id`,`seq`);--> statement-breakpoint
CREATE INDEX `tenants_clock_offset` ON `tenants` (`clock_offset_ms`);--> statement-breakpoint
-- The running totals start from the ledger as it is (it stays the source of truth).
INSERT INTO `tutor_balances` (`tenant_id`, `tutor_id`, `currency`, `pending`, `disputed`, `released`, `updated_at`)
SELECT `tenant_id`, `tutor_id`, `currency`,
  coalesce(sum(CASE WHEN `account` = 'tutor_pending' THEN `amount` END), 0),
  coalesce(sum(CASE WHEN `account` = 'tutor_disputed' THEN `amount` END), 0),
  coalesce(sum(CASE WHEN `account` = 'tutor_released' THEN `amount` END), 0),
  max(`created_at`)
FROM `ledger_entries` GROUP BY `tenant_id`, `tutor_id`, `currency`;
