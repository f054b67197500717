// @vitest-environment jsdom
import { SessionClient } from "@lessonkit/sdk";
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { SessionCompleteDialog } from "../src";
import { completed } from "./fixtures";
import { flush } from "./render";

// The real SDK client against an msw-served API: the dialog's calls go through ky, the SDK's
// error mapping and its clock-offset reading, exactly as in a browser.
const API = "https://api.lessonkit.test";
const TOKEN = "lk_pt_test";
const server = setupServer();
let ratings: Array<{ body: unknown; authorization: string | null }>;
let disputes: unknown[];
let sessionView = completed({ role: "student" });

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterAll(() => server.close());
beforeEach(() => {
  ratings = [];
  disputes = [];
  sessionView = completed({ role: "student" });
  server.use(
    http.get(`${API}/v1/sessions/bk_test`, () => HttpResponse.json(sessionView)),
    http.post(`${API}/v1/sessions/bk_test/dispute`, async ({ request }) => {
      disputes.push(await request.json());
      return HttpResponse.json({ id: "esc_test", booking_id: "bk_test", status: "disputed" });
    }),
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
  it("tells the student until when a problem can be reported, in the viewer's time zone", async () => {
    vi.stubEnv("TZ", "America/New_York");
    render(<SessionCompleteDialog client={client()} locale="en-US" />);
    const dialog = await screen.findByRole("dialog", { name: "Session completed" });
    // release_at is 2030-03-06T14:58Z: 9:58 AM in New York.
    expect(dialog.textContent).toContain(
      "If something went wrong, you can report a problem until Wednesday, March 6, 2030 at 9:58 AM. After that the lesson is final.",
    );
    expect(dialog.textContent).not.toContain("tutor's payment");
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
      /^Session completedYour payment of US\$40\.00 will be released on Wednesday,? 6 March 2030 at 15:58\./,
    );
    expect(screen.queryByRole("radio")).toBeNull();
    expect(screen.queryByRole("button", { name: "Report a problem" })).toBeNull();
    expect(screen.getByRole("button", { name: "Close" })).toBeTruthy();
    unmount();

    const running = { ...sessionView, status: "in_progress" as const, phase: "in_progress" as const };
    const { container } = render(<SessionCompleteDialog client={client()} status={running} />);
    expect(container.innerHTML).toBe("");
  });
});

describe("Report a problem", () => {
  it("the student sends a reason through the SDK's dispute; the dialog then says the payment is on hold", async () => {
    const onDisputed = vi.fn();
    render(<SessionCompleteDialog client={client()} onDisputed={onDisputed} />);
    await screen.findByRole("dialog");
    fireEvent.click(screen.getByRole("button", { name: "Report a problem" }));
    const reason = screen.getByRole("textbox", { name: "What went wrong?" });
    expect(document.activeElement).toBe(reason);
    const send = screen.getByRole("button", { name: "Send report" }) as HTMLButtonElement;
    expect(send.disabled).toBe(true); // a reason is required
    fireEvent.change(reason, { target: { value: "  The tutor left after ten minutes  " } });
    fireEvent.click(send);
    expect((await screen.findByRole("status")).textContent).toBe(
      "Your report was sent. The payment is on hold while it is reviewed.",
    );
    expect(disputes).toEqual([{ reason: "The tutor left after ten minutes" }]);
    expect(onDisputed).toHaveBeenCalledWith(expect.objectContaining({ status: "disputed" }));
    expect(screen.queryByRole("button", { name: "Report a problem" })).toBeNull();
    // Rating is still possible after a report.
    expect(screen.getByRole("radio", { name: "5 stars" })).toBeTruthy();
  });

  it("Cancel closes the form without a call and gives focus back to Report a problem", async () => {
    render(<SessionCompleteDialog client={client()} />);
    await screen.findByRole("dialog");
    fireEvent.click(screen.getByRole("button", { name: "Report a problem" }));
    fireEvent.click(screen.getByRole("button", { name: "Cancel" }));
    expect(screen.queryByRole("textbox", { name: "What went wrong?" })).toBeNull();
    expect(document.activeElement).toBe(screen.getByRole("button", { name: "Report a problem" }));
    expect(disputes).toEqual([]);
  });

  it.each([
    ["released", "This lesson is final."],
    ["disputed", "You reported a problem. The payment is on hold while the platform reviews it."],
    ["refunded", "Your payment was refunded."],
  ] as const)("is not offered once the escrow is %s", async (escrowStatus, text) => {
    sessionView = completed({ role: "student" });
    sessionView.escrow = { ...sessionView.escrow, status: escrowStatus };
    render(<SessionCompleteDialog client={client()} />);
    const dialog = await screen.findByRole("dialog");
    expect(dialog.textContent).toContain(text);
    expect(screen.queryByRole("button", { name: "Report a problem" })).toBeNull();
  });
});

describe("as a modal dialog", () => {
  it("opens modal, moves focus in, keeps Tab inside, closes on Escape and gives focus back", async () => {
    const opener = document.createElement("button");
    opener.textContent = "End session";
    document.body.append(opener);
    opener.focus();
    const onClose = vi.fn();
    // jsdom has no showModal: the component's own fallback (open + focus management) runs.
    render(<SessionCompleteDialog client={client()} onClose={onClose} />);
    const dialog = await screen.findByRole("dialog", { name: "Session completed" });
    expect(dialog.tagName).toBe("DIALOG");
    expect(dialog.hasAttribute("open")).toBe(true);
    expect(dialog.contains(document.activeElement)).toBe(true);

    const later = screen.getByRole("button", { name: "Later" });
    later.focus();
    fireEvent.keyDown(later, { key: "Tab" });
    expect(dialog.contains(document.activeElement)).toBe(true);
    expect(document.activeElement).toBe(screen.getByRole("radio", { name: "1 star" }));

    fireEvent.keyDown(document.activeElement as Element, { key: "Escape" });
    await flush();
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(onClose).toHaveBeenCalledOnce();
    expect(document.activeElement).toBe(opener);
    opener.remove();
  });

  it("formatDate puts the platform's own date format in the text", async () => {
    sessionView = completed({ role: "tutor" });
    render(<SessionCompleteDialog client={client()} formatDate={(d) => `<${d.toISOString()}>`} />);
    const dialog = await screen.findByRole("dialog");
    expect(dialog.textContent).toContain("will be released on <2030-03-06T14:58:00.000Z>.");
  });

  it("modal={false} is an inline region in the page's flow", async () => {
    render(<SessionCompleteDialog client={client()} modal={false} />);
    const region = await screen.findByRole("region", { name: "Session completed" });
    expect(region.tagName).toBe("SECTION");
    expect(screen.queryByRole("dialog")).toBeNull();
  });
});
