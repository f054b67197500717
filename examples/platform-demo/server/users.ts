/** A participant's side of a booking. */
export type Side = "student" | "tutor";

export interface DemoUser {
  id: string;
  name: string;
  role: Side;
}

/**
 * The demo's two accounts. Signing in is `?as=student` or `?as=tutor` in the page URL, which the
 * front end sends as the `x-demo-user` header: a stand-in for your platform's real sessions.
 */
export const USERS: Record<Side, DemoUser> = {
  student: { id: "student_ana", name: "Ana", role: "student" },
  tutor: { id: "tutor_tom", name: "Tom", role: "tutor" },
};

export function userFor(header: string | undefined): DemoUser | undefined {
  return header === "student" || header === "tutor" ? USERS[header] : undefined;
}
