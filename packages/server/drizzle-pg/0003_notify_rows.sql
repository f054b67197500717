-- Announce which row changed, not only that one did: each LessonKit process drops the snapshot of
-- that booking (or tenant) alone, instead of every snapshot on every write anywhere. Payloads:
-- `booking:<tenant_id>/<booking_id>` for bookings and escrows, `tenant:<id>` for tenants. Identical
-- announcements of one transaction are sent once. A process built before this change drops every
-- snapshot on any announcement, as it did.
CREATE OR REPLACE FUNCTION lessonkit_notify_write() RETURNS trigger AS $$
DECLARE
  r record;
BEGIN
  IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
  IF TG_TABLE_NAME = 'tenants' THEN
    PERFORM pg_notify('lessonkit_writes', 'tenant:' || r.id);
  ELSIF TG_TABLE_NAME = 'escrows' THEN
    PERFORM pg_notify('lessonkit_writes', 'booking:' || r.tenant_id || '/' || r.booking_id);
  ELSE
    PERFORM pg_notify('lessonkit_writes', 'booking:' || r.tenant_id || '/' || r.id);
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;--> statement-breakpoint
DROP TRIGGER bookings_notify_write ON "bookings";--> statement-breakpoint
DROP TRIGGER escrows_notify_write ON "escrows";--> statement-breakpoint
DROP TRIGGER tenants_notify_write ON "tenants";--> statement-breakpoint
CREATE TRIGGER bookings_notify_write AFTER INSERT OR UPDATE OR DELETE ON "bookings" FOR EACH ROW EXECUTE FUNCTION lessonkit_notify_write();--> statement-breakpoint
CREATE TRIGGER escrows_notify_write AFTER INSERT OR UPDATE OR DELETE ON "escrows" FOR EACH ROW EXECUTE FUNCTION lessonkit_notify_write();--> statement-breakpoint
CREATE TRIGGER tenants_notify_write AFTER INSERT OR UPDATE OR DELETE ON "tenants" FOR EACH ROW EXECUTE FUNCTION lessonkit_notify_write();
