import { api, money, notificationText, when } from "./api";
import { usePoll } from "./usePoll";

/** What LessonKit's webhooks told the platform, as the backend wrote it for this user. */
export function NotificationsFeed() {
  const feed = usePoll(api.notifications, 2_000);
  const items = feed.data ?? [];
  return (
    <section className="feed" aria-labelledby="feed-title">
      <h2 id="feed-title">Notifications</h2>
      {items.length === 0 ? <p className="muted">Nothing yet. News about your lessons shows up here.</p> : null}
      <ol className="feed__list">
        {items.map((item) => (
          <li key={item.id} className="feed__item" data-type={item.type}>
            <div className="feed__head">
              <strong>{item.title}</strong>
              <time className="feed__time" dateTime={item.created_at}>
                {when(item.created_at)}
              </time>
            </div>
            <span>{notificationText(item)}</span>
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
      {usd?.disputed ? <span>On hold {money(usd.disputed, currency)}</span> : null}
      <span>
        Paid out <b data-testid="balance-released">{money(usd?.released ?? 0, currency)}</b>
      </span>
    </section>
  );
}
