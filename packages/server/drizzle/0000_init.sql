CREATE TABLE `bookings` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`id` text NOT NULL,
	`tenant_id` text NOT NULL,
	`external_id` text NOT NULL,
	`status` text NOT NULL,
	`student_id` text NOT NULL,
	`student_name` text,
	`tutor_id` text NOT NULL,
	`tutor_name` text,
	`tutor_stripe_account` text,
	`subject` text,
	`timezone` text,
	`scheduled_start` integer NOT NULL,
	`duration_minutes` integer NOT NULL,
	`ends_at` integer NOT NULL,
	`policy` text NOT NULL,
	`payment_expires_at` integer NOT NULL,
	`join_opens_at` integer NOT NULL,
	`no_show_at` integer NOT NULL,
	`auto_complete_at` integer NOT NULL,
	`started_at` integer,
	`started_by` text,
	`student_joined_at` integer,
	`tutor_joined_at` integer,
	`ended_at` integer,
	`ended_by` text,
	`canceled_at` integer,
	`canceled_by` text,
	`cancel_reason` text,
	`no_show_side` text,
	`notes` text,
	`notes_updated_at` integer,
	`rating_stars` integer,
	`rating_comment` text,
	`rated_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `bookings_id` ON `bookings` (`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `bookings_tenant_external_id` ON `bookings` (`tenant_id`,`external_id`);--> statement-breakpoint
CREATE INDEX `bookings_tenant_seq` ON `bookings` (`tenant_id`,`seq`);--> statement-breakpoint
CREATE INDEX `bookings_status_payment_expires` ON `bookings` (`status`,`payment_expires_at`);--> statement-breakpoint
CREATE INDEX `bookings_status_no_show` ON `bookings` (`status`,`no_show_at`);--> statement-breakpoint
CREATE INDEX `bookings_status_auto_complete` ON `bookings` (`status`,`auto_complete_at`);--> statement-breakpoint
CREATE TABLE `escrows` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`id` text NOT NULL,
	`tenant_id` text NOT NULL,
	`booking_id` text NOT NULL,
	`tutor_id` text NOT NULL,
	`status` text NOT NULL,
	`provider` text NOT NULL,
	`currency` text NOT NULL,
	`amount` integer NOT NULL,
	`platform_fee` integer NOT NULL,
	`tutor_amount` integer NOT NULL,
	`refunded_amount` integer DEFAULT 0 NOT NULL,
	`released_amount` integer DEFAULT 0 NOT NULL,
	`payout_amount` integer,
	`release_at` integer,
	`held_at` integer,
	`released_at` integer,
	`payment_id` text,
	`payment_client_secret` text,
	`charge_id` text,
	`transfer_id` text,
	`status_before_dispute` text,
	`dispute_reason` text,
	`dispute_opened_by` text,
	`disputed_at` integer,
	`last_error` text,
	`pending_refund_amount` integer,
	`pending_refund_key` text,
	`pending_refund_reason` text,
	`claim_token` text,
	`claim_kind` text,
	`claim_expires_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`booking_id`) REFERENCES `bookings`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `escrows_id` ON `escrows` (`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `escrows_booking_id` ON `escrows` (`booking_id`);--> statement-breakpoint
CREATE INDEX `escrows_tenant_seq` ON `escrows` (`tenant_id`,`seq`);--> statement-breakpoint
CREATE INDEX `escrows_status_release_at` ON `escrows` (`status`,`release_at`);--> statement-breakpoint
CREATE TABLE `events` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`id` text NOT NULL,
	`tenant_id` text NOT NULL,
	`type` text NOT NULL,
	`booking_id` text,
	`data` text NOT NULL,
	`created_at` integer NOT NULL,
	`available_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `events_id_unique` ON `events` (`id`);--> statement-breakpoint
CREATE INDEX `events_tenant_seq` ON `events` (`tenant_id`,`seq`);--> statement-breakpoint
CREATE INDEX `events_booking` ON `events` (`booking_id`);--> statement-breakpoint
CREATE TABLE `idempotency_keys` (
	`scope` text NOT NULL,
	`key` text NOT NULL,
	`request_hash` text NOT NULL,
	`status` integer,
	`response_body` text,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`scope`, `key`)
);
--> statement-breakpoint
CREATE TABLE `ledger_entries` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`id` text NOT NULL,
	`tenant_id` text NOT NULL,
	`escrow_id` text NOT NULL,
	`booking_id` text NOT NULL,
	`tutor_id` text NOT NULL,
	`currency` text NOT NULL,
	`account` text NOT NULL,
	`amount` integer NOT NULL,
	`kind` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `ledger_escrow` ON `ledger_entries` (`escrow_id`);--> statement-breakpoint
CREATE INDEX `ledger_tenant_tutor` ON `ledger_entries` (`tenant_id`,`tutor_id`,`currency`);--> statement-breakpoint
CREATE TABLE `payouts` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`escrow_id` text NOT NULL,
	`kind` text NOT NULL,
	`idempotency_key` text NOT NULL,
	`provider_id` text NOT NULL,
	`amount` integer NOT NULL,
	`currency` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `payouts_idempotency_key` ON `payouts` (`idempotency_key`);--> statement-breakpoint
CREATE TABLE `tenants` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`payment_provider` text NOT NULL,
	`secret_key_hash` text NOT NULL,
	`secret_key_hint` text NOT NULL,
	`policy` text DEFAULT '{}' NOT NULL,
	`agora_app_id` text,
	`agora_app_certificate_sealed` text,
	`stripe_sealed` text,
	`clock_offset_ms` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tenants_secret_key_hash` ON `tenants` (`secret_key_hash`);