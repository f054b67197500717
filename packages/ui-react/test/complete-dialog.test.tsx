// @vitest-environment jsdom
import { SessionClient } from "@lessonkit/sdk";
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { SessionCompleteDialog } from "../src";
import { completed } from "./fixtures";

// The real SDK client against an msw-served API: the dialog's calls go through ky, the SDK's
// error mapping and its clock-offset reading, exactly as in a browser.
const API = "https://api.lessonkit.test";
const TOKEN = "lk_pt_test";
const server = setupServer();
let ratings: Array<{ body: unknown; authorization: string | null }>;
let sessionView = completed({ role: "student" });

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterAll(() => server.close());
beforeEach(() => {
  ratings = [];
  sessionView = completed({ role: "student" });
  server.use(
    http.get(`${API}/v1/sessions/bk_test`, () => HttpResponse.json(sessionView)),
    http.post(`${API}/v1/sessions/bk_test/rating`, async ({ request }) => {
      const body = (await request.json()) as { stars: number; comment?: string };
      ratings.push({ body, authorization: request.headers.get("authorization") });
      if (ratings.length > 1) {
        return HttpResponse.json(
          {
            error: {
              type: "conflict_error",
              code: "already_rated",
              message: "The session was already rated",
              request_id: "req_1",
            },
          },
          { status: 409 },
        );
      }
      return HttpResponse.json({
        booking_id: "bk_test",
        stars: body.stars,
        comment: body.comment ?? null,
        rated_at: sessionView.server_time,
      });
    }),
  );
});
afterEach(() => {
  cleanup();
  server.resetHandlers();
  vi.unstubAllEnvs();
});

const client = () => new SessionClient({ baseUrl: API, token: TOKEN, bookingId: "bk_test", maxRetries: 0 });

describe("SessionCompleteDialog", () => {
  it("says the session is completed and when the payment is released, in the viewer's time zone", async () => {
    vi.stubEnv("TZ", "America/New_York");
    render(<SessionCompleteDialog client={client()} locale="en-US" />);
    const dialog = await screen.findByRole("dialog", { name: "Session completed" });
    // release_at is 2030-03-06T14:58Z: 9:58 AM in New York.
    expect(dialog.textContent).toContain(
      "The tutor's payment will be released on Wednesday, March 6, 2030 at 9:58 AM.",
    );
    expect(dialog.querySelector("time")?.getAttribute("datetime")).toBe("2030-03-06T14:58:00.000Z");
  });

  it("rates the session through the SDK: 1–5 stars with a comment", async () => {
    const onRated = vi.fn();
    render(<SessionCompleteDialog client={client()} onRated={onRated} />);
    await screen.findByRole("dialog");
    const submit = screen.getByRole("button", { name: "Submit rating" }) as HTMLButtonElement;
    expect(submit.disabled).toBe(true); // no stars chosen yet
    expect(screen.getAllByRole("radio").map((r) => r.getAttribute("value"))).toEqual(["1", "2", "3", "4", "5"]);

    fireEvent.click(screen.getByRole("radio", { name: "4 stars" }));
    fireEvent.change(screen.getByLabelText("Comment (optional)"), { target: { value: "  Clear explanations  " } });
    fireEvent.click(submit);
    expect((await screen.findByRole("status")).textContent).toBe("Thanks for your rating.");

    expect(ratings).toEqual([{ body: { stars: 4, comment: "Clear explanations" }, authorization: `Bearer ${TOKEN}` }]);
    expect(onRated).toHaveBeenCalledWith(4, "Clear explanations");
    expect(screen.queryByRole("radio")).toBeNull();
  });

  it("shows the API's error and keeps the form when the rating is refused", async () => {
    ratings.push({ body: "earlier rating from another tab", authorization: null });
    render(<SessionCompleteDialog client={client()} />);
    await screen.findByRole("dialog");
    fireEvent.click(screen.getByRole("radio", { name: "5 stars" }));
    fireEvent.click(screen.getByRole("button", { name: "Submit rating" }));
    expect((await screen.findByRole("alert")).textContent).toBe("The session was already rated");
    expect(ratings[1]?.body).toEqual({ stars: 5 });
    expect(screen.getByRole("button", { name: "Submit rating" })).toBeTruthy();
  });

  it("Later closes the dialog without rating", async () => {
    const onClose = vi.fn();
    render(<SessionCompleteDialog client={client()} onClose={onClose} />);
    await screen.findByRole("dialog");
    fireEvent.click(screen.getByRole("button", { name: "Later" }));
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(onClose).toHaveBeenCalledOnce();
    expect(ratings).toEqual([]);
  });

  it("the tutor sees the payout date and no rating form; nothing shows before completion", async () => {
    sessionView = completed({ role: "tutor" });
    const { unmount } = render(<SessionCompleteDialog client={client()} timeZone="Europe/Berlin" locale="en-GB" />);
    const dialog = await screen.findByRole("dialog");
    expect(dialog.textContent).toMatch(
      /^Session completedYour payment will be released on Wednesday,? 6 March 2030 at 15:58\./,
    );
    expect(screen.queryByRole("radio")).toBeNull();
    expect(screen.getByRole("button", { name: "Close" })).toBeTruthy();
    unmount();

    const running = { ...sessionView, status: "in_progress" as const, phase: "in_progress" as const };
    const { container } = render(<SessionCompleteDialog client={client()} status={running} />);
    expect(container.innerHTML).toBe("");
  });
});
