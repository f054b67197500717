CREATE TABLE `connected_accounts` (
	`tenant_id` text NOT NULL,
	`account_id` text NOT NULL,
	`payouts_enabled` integer NOT NULL,
	`as_of` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`tenant_id`, `account_id`)
);
--> statement-breakpoint
CREATE TABLE `provider_events` (
	`tenant_id` text NOT NULL,
	`event_id` text NOT NULL,
	`provider` text NOT NULL,
	`type` text NOT NULL,
	`subject_id` text,
	`created_at` integer NOT NULL,
	`received_at` integer NOT NULL,
	`outcome` text NOT NULL,
	PRIMARY KEY(`tenant_id`, `event_id`)
);
--> statement-breakpoint
ALTER TABLE `escrows` ADD `provider_dispute_id` text;--> statement-breakpoint
ALTER TABLE `escrows` ADD `reversed_amount` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `escrows` ADD `pending_reversal_amount` integer;--> statement-breakpoint
ALTER TABLE `escrows` ADD `pending_reversal_key` text;--> statement-breakpoint
CREATE INDEX `escrows_payment_id` ON `escrows` (`payment_id`);--> statement-breakpoint
ALTER TABLE `tenants` ADD `stripe_livemode` integer;