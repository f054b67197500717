import { api, money } from "./api";
import { usePoll } from "./usePoll";

/** What LessonKit's webhooks told the platform, as the backend turned them into notifications. */
export function NotificationsFeed() {
  const feed = usePoll(api.notifications, 2_000);
  const items = feed.data ?? [];
  return (
    <section className="feed" aria-labelledby="feed-title">
      <h2 id="feed-title">Notifications</h2>
      {items.length === 0 ? (
        <p className="muted">Nothing yet. Book a lesson to see LessonKit's webhooks here.</p>
      ) : null}
      <ol className="feed__list">
        {items.map((item) => (
          <li key={item.id} className="feed__item" data-type={item.type}>
            <strong>{item.title}</strong>
            <span>{item.body}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}

/** The tutor's money as LessonKit's ledger has it: held for them, frozen by disputes, paid out. */
export function TutorBalance({ clockVersion }: { clockVersion: number }) {
  const balance = usePoll(api.balance, 3_000, [clockVersion]);
  const usd = balance.data?.balances.find((b) => b.currency === "usd") ?? balance.data?.balances[0];
  const currency = usd?.currency ?? "usd";
  return (
    <section className="balance" aria-label="Balance">
      <span>
        Pending <b data-testid="balance-pending">{money(usd?.pending ?? 0, currency)}</b>
      </span>
      {usd?.disputed ? <span>Disputed {money(usd.disputed, currency)}</span> : null}
      <span>
        Released <b data-testid="balance-released">{money(usd?.released ?? 0, currency)}</b>
      </span>
    </section>
  );
}
