CREATE TABLE `money_operations` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`id` text NOT NULL,
	`tenant_id` text NOT NULL,
	`escrow_id` text NOT NULL,
	`booking_id` text NOT NULL,
	`kind` text NOT NULL,
	`amount` integer NOT NULL,
	`currency` text NOT NULL,
	`reason` text NOT NULL,
	`idempotency_key` text NOT NULL,
	`status` text NOT NULL,
	`due_at` integer NOT NULL,
	`lease_token` text,
	`lease_expires_at` integer,
	`attempts` integer DEFAULT 0 NOT NULL,
	`provider_id` text,
	`error_code` text,
	`error_message` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`completed_at` integer,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`escrow_id`) REFERENCES `escrows`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `money_operations_id` ON `money_operations` (`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `money_operations_idempotency_key` ON `money_operations` (`idempotency_key`);--> statement-breakpoint
CREATE INDEX `money_operations_tenant_seq` ON `money_operations` (`tenant_id`,`seq`);--> statement-breakpoint
CREATE INDEX `money_operations_escrow` ON `money_operations` (`escrow_id`,`kind`,`status`);--> statement-breakpoint
CREATE INDEX `money_operations_status_due` ON `money_operations` (`status`,`due_at`);--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_connected_accounts` (
	`tenant_id` text NOT NULL,
	`account_id` text NOT NULL,
	`payouts_enabled` integer,
	`as_of` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`tenant_id`, `account_id`)
);
--> statement-breakpoint
INSERT INTO `__new_connected_accounts`("tenant_id", "account_id", "payouts_enabled", "as_of", "updated_at") SELECT "tenant_id", "account_id", "payouts_enabled", "as_of", "updated_at" FROM `connected_accounts`;--> statement-breakpoint
DROP TABLE `connected_accounts`;--> statement-breakpoint
ALTER TABLE `__new_connected_accounts` RENAME TO `connected_accounts`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
ALTER TABLE `escrows` ADD `charged_back_amount` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `escrows` ADD `dispute_source` text;--> statement-breakpoint
ALTER TABLE `escrows` ADD `last_error_code` text;--> statement-breakpoint
ALTER TABLE `escrows` ADD `last_error_message` text;--> statement-breakpoint
CREATE INDEX `escrows_charge_id` ON `escrows` (`charge_id`);--> statement-breakpoint
CREATE INDEX `escrows_transfer_id` ON `escrows` (`transfer_id`);--> statement-breakpoint
-- Data: what the escrow columns and the payouts guard table held becomes operations. Movements
-- made at the provider (the payouts rows) are succeeded operations; a refund or reversal left pending
-- and a release claimed by a run are open ones, with their keys (the same call is what must be
-- repeated), their leases and their last errors. Payouts of nothing (provider id 'none') moved nothing.
INSERT INTO `money_operations` (`id`, `tenant_id`, `escrow_id`, `booking_id`, `kind`, `amount`, `currency`, `reason`, `idempotency_key`, `status`, `due_at`, `attempts`, `provider_id`, `created_at`, `updated_at`, `completed_at`)
SELECT 'op_' || lower(hex(randomblob(10))), p.`tenant_id`, p.`escrow_id`, e.`booking_id`,
  CASE p.`kind` WHEN 'release' THEN 'transfer' WHEN 'reversal' THEN 'transfer_reversal' ELSE 'refund' END,
  p.`amount`, p.`currency`, CASE p.`kind` WHEN 'release' THEN 'release' ELSE 'refund' END,
  p.`idempotency_key`, 'succeeded', p.`created_at`, 1, p.`provider_id`, p.`created_at`, p.`created_at`, p.`created_at`
FROM `payouts` p JOIN `escrows` e ON e.`id` = p.`escrow_id`
WHERE p.`provider_id` <> 'none'
ORDER BY p.`created_at`;--> statement-breakpoint
INSERT INTO `money_operations` (`id`, `tenant_id`, `escrow_id`, `booking_id`, `kind`, `amount`, `currency`, `reason`, `idempotency_key`, `status`, `due_at`, `lease_token`, `lease_expires_at`, `attempts`, `error_code`, `error_message`, `created_at`, `updated_at`)
SELECT 'op_' || lower(hex(randomblob(10))), `tenant_id`, `id`, `booking_id`, 'refund', `pending_refund_amount`, `currency`,
  coalesce(`pending_refund_reason`, 'refund'), `pending_refund_key`,
  CASE WHEN `claim_kind` = 'refund' OR `last_error` IS NOT NULL THEN 'in_flight' ELSE 'pending' END,
  `updated_at`,
  CASE WHEN `claim_kind` = 'refund' THEN `claim_token` END,
  CASE WHEN `claim_kind` = 'refund' THEN `claim_expires_at` END,
  CASE WHEN `claim_kind` = 'refund' OR `last_error` IS NOT NULL THEN 1 ELSE 0 END,
  CASE WHEN `last_error` IS NOT NULL THEN 'refund_pending' END, `last_error`,
  `updated_at`, `updated_at`
FROM `escrows` WHERE `pending_refund_amount` IS NOT NULL AND `pending_refund_key` IS NOT NULL;--> statement-breakpoint
-- A pending reversal's key names the amount of the call made with it (its last `+n`); anything added
-- behind it while it was pending is a second operation under a key of its own.
WITH `r` AS (
  SELECT e.*, CAST(substr(`pending_reversal_key`, length(rtrim(`pending_reversal_key`, replace(`pending_reversal_key`, '+', ''))) + 1) AS INTEGER) AS `key_amount`
  FROM `escrows` e WHERE `pending_reversal_amount` IS NOT NULL AND `pending_reversal_key` IS NOT NULL
), `s` AS (
  SELECT `r`.*, CASE WHEN `key_amount` > 0 AND `key_amount` <= `pending_reversal_amount` THEN `key_amount` ELSE `pending_reversal_amount` END AS `first_amount` FROM `r`
)
INSERT INTO `money_operations` (`id`, `tenant_id`, `escrow_id`, `booking_id`, `kind`, `amount`, `currency`, `reason`, `idempotency_key`, `status`, `due_at`, `lease_token`, `lease_expires_at`, `attempts`, `error_code`, `error_message`, `created_at`, `updated_at`)
SELECT 'op_' || lower(hex(randomblob(10))), `tenant_id`, `id`, `booking_id`, 'transfer_reversal', `first_amount`, `currency`, 'refund_after_release',
  `pending_reversal_key`, 'in_flight', `updated_at`,
  CASE WHEN `claim_kind` = 'reversal' THEN `claim_token` END,
  CASE WHEN `claim_kind` = 'reversal' THEN `claim_expires_at` END,
  1, CASE WHEN `last_error` IS NOT NULL THEN 'reversal_pending' END, `last_error`, `updated_at`, `updated_at`
FROM `s`
UNION ALL
SELECT 'op_' || lower(hex(randomblob(10))), `tenant_id`, `id`, `booking_id`, 'transfer_reversal', `pending_reversal_amount` - `first_amount`, `currency`, 'refund_after_release',
  `pending_reversal_key` || '+' || (`pending_reversal_amount` - `first_amount`), 'pending', `updated_at`, NULL, NULL, 0, NULL, NULL, `updated_at`, `updated_at`
FROM `s` WHERE `pending_reversal_amount` > `first_amount`;--> statement-breakpoint
-- A release a run had claimed may have reached the provider: it is in flight under the key it was sent with.
INSERT INTO `money_operations` (`id`, `tenant_id`, `escrow_id`, `booking_id`, `kind`, `amount`, `currency`, `reason`, `idempotency_key`, `status`, `due_at`, `lease_token`, `lease_expires_at`, `attempts`, `error_code`, `error_message`, `created_at`, `updated_at`)
SELECT 'op_' || lower(hex(randomblob(10))), e.`tenant_id`, e.`id`, e.`booking_id`, 'transfer',
  (SELECT sum(l.`amount`) FROM `ledger_entries` l WHERE l.`escrow_id` = e.`id` AND l.`account` = 'tutor_pending'),
  e.`currency`, 'release', 'release:' || e.`id`, 'in_flight', e.`updated_at`, e.`claim_token`, e.`claim_expires_at`, 1,
  CASE WHEN e.`last_error` IS NOT NULL THEN 'release_pending' END, e.`last_error`, e.`updated_at`, e.`updated_at`
FROM `escrows` e
WHERE e.`claim_kind` = 'release' AND e.`claim_token` IS NOT NULL AND e.`status` = 'release_scheduled'
  AND (SELECT sum(l.`amount`) FROM `ledger_entries` l WHERE l.`escrow_id` = e.`id` AND l.`account` = 'tutor_pending') > 0;--> statement-breakpoint
-- Who froze an escrow was a `chargeback:` prefix on the reason; it is a column now.
UPDATE `escrows` SET
  `dispute_source` = CASE WHEN `dispute_reason` LIKE 'chargeback:%' THEN 'provider' WHEN `dispute_opened_by` = 'platform' THEN 'platform' ELSE 'participant' END,
  `dispute_reason` = CASE WHEN `dispute_reason` LIKE 'chargeback:%' THEN substr(`dispute_reason`, 12) ELSE `dispute_reason` END
WHERE `disputed_at` IS NOT NULL;--> statement-breakpoint
UPDATE `escrows` SET `charged_back_amount` = coalesce((
  SELECT sum(json_extract(ev.`data`, '$.refund.amount')) FROM `events` ev
  WHERE ev.`booking_id` = `escrows`.`booking_id` AND ev.`type` = 'escrow.refunded' AND json_extract(ev.`data`, '$.refund.reason') = 'dispute_lost'
), 0)
WHERE `provider_dispute_id` IS NOT NULL;--> statement-breakpoint
-- The last `code: message` string is split once, here; nothing parses errors back any more.
UPDATE `escrows` SET
  `last_error_code` = CASE WHEN instr(`last_error`, ': ') > 0 THEN substr(`last_error`, 1, instr(`last_error`, ': ') - 1) ELSE 'error' END,
  `last_error_message` = CASE WHEN instr(`last_error`, ': ') > 0 THEN substr(`last_error`, instr(`last_error`, ': ') + 2) ELSE `last_error` END
WHERE `last_error` IS NOT NULL;--> statement-breakpoint
DROP TABLE `payouts`;--> statement-breakpoint
ALTER TABLE `escrows` DROP COLUMN `status_before_dispute`;--> statement-breakpoint
ALTER TABLE `escrows` DROP COLUMN `dispute_opened_by`;--> statement-breakpoint
ALTER TABLE `escrows` DROP COLUMN `last_error`;--> statement-breakpoint
ALTER TABLE `escrows` DROP COLUMN `pending_refund_amount`;--> statement-breakpoint
ALTER TABLE `escrows` DROP COLUMN `pending_refund_key`;--> statement-breakpoint
ALTER TABLE `escrows` DROP COLUMN `pending_refund_reason`;--> statement-breakpoint
ALTER TABLE `escrows` DROP COLUMN `pending_reversal_amount`;--> statement-breakpoint
ALTER TABLE `escrows` DROP COLUMN `pending_reversal_key`;--> statement-breakpoint
ALTER TABLE `escrows` DROP COLUMN `claim_token`;--> statement-breakpoint
ALTER TABLE `escrows` DROP COLUMN `claim_kind`;--> statement-breakpoint
ALTER TABLE `escrows` DROP COLUMN `claim_expires_at`;--> statement-breakpoint
ALTER TABLE `tenants` ADD `provider_rate_limit` integer;--> statement-breakpoint
CREATE INDEX `provider_events_subject` ON `provider_events` (`tenant_id`,`subject_id`,`type`);