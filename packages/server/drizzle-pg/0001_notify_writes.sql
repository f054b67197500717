-- Every committed change to the rows that session-status snapshots are made of (bookings, escrows,
-- tenants) is announced on the channel lessonkit_writes; every LessonKit process listens and drops its
-- snapshots (adapters/postgres/database.ts). Notifications of one transaction are sent at its commit,
-- and identical ones are sent once.
CREATE OR REPLACE FUNCTION lessonkit_notify_write() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('lessonkit_writes', '');
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;--> statement-breakpoint
CREATE TRIGGER bookings_notify_write AFTER INSERT OR UPDATE OR DELETE ON "bookings" FOR EACH STATEMENT EXECUTE FUNCTION lessonkit_notify_write();--> statement-breakpoint
CREATE TRIGGER escrows_notify_write AFTER INSERT OR UPDATE OR DELETE ON "escrows" FOR EACH STATEMENT EXECUTE FUNCTION lessonkit_notify_write();--> statement-breakpoint
CREATE TRIGGER tenants_notify_write AFTER INSERT OR UPDATE OR DELETE ON "tenants" FOR EACH STATEMENT EXECUTE FUNCTION lessonkit_notify_write();
